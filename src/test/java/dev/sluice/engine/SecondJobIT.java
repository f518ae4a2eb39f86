package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.kafka.PipelineTestAccess;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * A second job on the engine, written as the README's "A second job" shows: one {@code Job} bean
 * with a decoder and a writer whose effect is not idempotent at all (each record adds its amount to
 * a running total and 1 to a count), and no delivery code of its own. Crashed twice mid-run
 * without a final commit and restarted, it ends with every total exact: the engine's exactly-once
 * progress covers any job.
 */
@Import(SecondJobIT.Totals.class)
class SecondJobIT extends IntegrationTest {

    static final int RECORDS = 20_000;
    static final int KEYS = 40;
    static final String TABLE = TotalsJob.uniqueTable("totals");

    /** The README's one bean, on a topic and group of this test context. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Totals {
        @Bean
        Job<Long> totals(Environment environment) {
            return TotalsJob.job("totals", environment.getRequiredProperty("sluice.source.topic") + "-totals", TABLE)
                    .withGroup(environment.getRequiredProperty("spring.kafka.consumer.group-id") + "-totals");
        }
    }

    @Test
    void aJobThatIsNotIdempotentIsAppliedExactlyOnceThroughCrashes() throws Exception {
        TotalsJob.createTable(dataSource, TABLE);
        JobPipeline totals = pipelines.find("totals").orElseThrow();
        KafkaPipeline<Long> pipeline = pipelines.pipeline("totals");
        String topic = totals.job().topic();
        traffic.createTopics(4, topic, totals.job().deadLetterTopic());
        Map<String, long[]> expected = new HashMap<>();
        TotalsJob.send(traffic, topic, 5, RECORDS, KEYS, expected);

        try {
            for (long appliedAtCrash : List.of(4_000L, 10_000L)) {
                assertThat(pipeline.resume()).isEqualTo(PipelineState.RUNNING);
                await(Duration.ofMinutes(1)).until(() -> pipeline.status().totals().written() >= appliedAtCrash);
                PipelineTestAccess.halt(pipeline);
                assertThat(pipeline.awaitStopped(Duration.ofSeconds(10))).isTrue();
            }
            pipeline.resume();
            await(Duration.ofMinutes(2)).until(() -> ConsumerLag.of(bootstrapServers(), totals.job().group(), topic) == 0);
        } finally {
            pipeline.abort();
            pipeline.awaitStopped(Duration.ofSeconds(10));
        }

        Map<String, long[]> actual = TotalsJob.stored(jdbc, TABLE);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, sums) -> assertThat(actual.get(key)).as("total and records of %s", key).containsExactly(sums));
        assertThat(totals.meters().get("sluice.records.skipped").tag("job", "totals").counter().count())
                .as("records the claims found durable after the crashes, skipped").isPositive();
    }
}
