package dev.sluice.engine;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.testinfra.Traffic;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A job whose effect is not idempotent at all, as the README's "A second job" shows: each record
 * (a keyed amount as ASCII digits) adds its amount to its key's running total and 1 to its count.
 * A record applied twice or lost shows in the totals.
 */
final class TotalsJob {

    private TotalsJob() {
    }

    /** Keyed amounts as ASCII integers; anything else is malformed. */
    static Decoded<Long> decode(byte[] key, byte[] value) {
        try {
            return Decoded.accepted(Long.parseLong(new String(value, StandardCharsets.US_ASCII)));
        } catch (NumberFormatException e) {
            return Decoded.rejected(RejectReason.MALFORMED, "not an integer");
        }
    }

    /** The job {@code name} on {@code topic}, adding into {@code table} (see {@link #createTable}). */
    static Job<Long> job(String name, String topic, String table) {
        return Job.of(name, topic, TotalsJob::decode, (connection, batch) -> {
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
    }

    /** A unique table name with {@code prefix}. */
    static String uniqueTable(String prefix) {
        return prefix + "_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    static void createTable(DataSource dataSource, String table) throws Exception {
        try (var connection = dataSource.getConnection(); var create = connection.createStatement()) {
            create.execute("CREATE TABLE IF NOT EXISTS " + table
                    + " (key text PRIMARY KEY, total bigint NOT NULL, records bigint NOT NULL)");
            if (!connection.getAutoCommit()) {
                connection.commit(); // the pool hands out connections with auto-commit off
            }
        }
    }

    /** Key to {total, records} as stored. */
    static Map<String, long[]> stored(JdbcTemplate jdbc, String table) {
        Map<String, long[]> actual = new HashMap<>();
        jdbc.query("SELECT key, total, records FROM " + table, rs -> {
            actual.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
        });
        return actual;
    }

    /** Sends {@code records} random keyed amounts over {@code keys} keys and adds them to {@code expected}. */
    static void send(Traffic traffic, String topic, long seed, int records, int keys,
            Map<String, long[]> expected) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < records; i++) {
            String key = "key-" + random.nextInt(keys);
            long amount = 1 + random.nextInt(1_000);
            traffic.send(topic, key, Long.toString(amount).getBytes(StandardCharsets.US_ASCII));
            expected.merge(key, new long[] {amount, 1}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        }
        traffic.flush();
    }
}
