package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.kafka.PipelineTestAccess;
import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.testinfra.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A second job on the engine, written as the README's "A second job" shows: a decoder and a writer
 * whose effect is not idempotent at all (each record adds its amount to a running total and 1 to a
 * count), and no delivery code of its own. Crashed twice mid-run without a final commit and
 * restarted, it ends with every total exact: the engine's exactly-once progress covers any job.
 */
class SecondJobIT extends IntegrationTest {

    static final int RECORDS = 20_000;
    static final int KEYS = 40;

    @Autowired
    Engine engine;

    /** Keyed amounts as ASCII integers; anything else is malformed. */
    static Decoded<Long> decode(byte[] key, byte[] value) {
        try {
            return Decoded.accepted(Long.parseLong(new String(value, StandardCharsets.US_ASCII)));
        } catch (NumberFormatException e) {
            return Decoded.rejected(RejectReason.MALFORMED, "not an integer");
        }
    }

    @Test
    void aJobThatIsNotIdempotentIsAppliedExactlyOnceThroughCrashes() throws Exception {
        String table = "totals_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try (var connection = dataSource.getConnection(); var create = connection.createStatement()) {
            create.execute("CREATE TABLE " + table + " (key text PRIMARY KEY, total bigint NOT NULL, records bigint NOT NULL)");
            if (!connection.getAutoCommit()) {
                connection.commit(); // the pool hands out connections with auto-commit off
            }
        }
        Job<Long> totals = new Job<>("totals", SecondJobIT::decode, ProcessStep.identity(), (connection, batch) -> {
            try (PreparedStatement add = connection.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, 1)"
                    + " ON CONFLICT (key) DO UPDATE SET total = " + table + ".total + excluded.total, records = " + table + ".records + 1")) {
                for (var item : batch) {
                    add.setString(1, new String(item.record().key(), StandardCharsets.UTF_8));
                    add.setLong(2, item.value());
                    add.addBatch();
                }
                add.executeBatch();
            }
            return batch.stream().map(item -> SinkOutcome.WRITTEN).toList();
        });
        KafkaPipeline<Long> pipeline = engine.pipeline(totals, engine.sink(totals));

        traffic.createTopics(4, topicName(), deadLetterTopic());
        SplittableRandom random = new SplittableRandom(5);
        Map<String, long[]> expected = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            String key = "key-" + random.nextInt(KEYS);
            long amount = 1 + random.nextInt(1_000);
            traffic.send(topicName(), key, Long.toString(amount).getBytes(StandardCharsets.US_ASCII));
            expected.merge(key, new long[] {amount, 1}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        }
        traffic.flush();

        try {
            for (long appliedAtCrash : List.of(4_000L, 10_000L)) {
                assertThat(pipeline.resume()).isEqualTo(PipelineState.RUNNING);
                await(Duration.ofMinutes(1)).until(() -> pipeline.status().totals().written() >= appliedAtCrash);
                PipelineTestAccess.halt(pipeline);
                assertThat(pipeline.awaitStopped(Duration.ofSeconds(10))).isTrue();
            }
            pipeline.resume();
            awaitNoLag(Duration.ofMinutes(2));
        } finally {
            pipeline.abort();
            pipeline.awaitStopped(Duration.ofSeconds(10));
        }

        Map<String, long[]> actual = new HashMap<>();
        jdbc.query("SELECT key, total, records FROM " + table, rs -> {
            actual.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
        });
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, sums) -> assertThat(actual.get(key)).as("total and records of %s", key).containsExactly(sums));
        assertThat(pipeline.metrics().registry().get("sluice.records.skipped").counter().count())
                .as("records the claims found durable after the crashes, skipped").isPositive();
    }
}
