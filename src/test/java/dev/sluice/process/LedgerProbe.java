package dev.sluice.process;

import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the ledger holds for one test's accounts (all named {@code prefix-…}), read while or after
 * service processes write it. Each query is one statement, so it sees one committed snapshot.
 */
final class LedgerProbe {

    private final JdbcTemplate jdbc;
    private final String like;

    LedgerProbe(DataSource dataSource, String prefix) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.like = prefix + "-%";
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    /** Payments in effect: the sum of payment_count (cheap: one row per account and currency). */
    long applied() {
        Long applied = jdbc.queryForObject("SELECT coalesce(sum(payment_count), 0) FROM sluice.account_balances WHERE account LIKE ?",
                Long.class, like);
        return applied == null ? 0 : applied;
    }

    /**
     * Effects applied more than once: sum(payment_count) − count(distinct stored payments), in one
     * snapshot. A payment row is the proof that its effect was applied; the primary key makes it
     * distinct. Must be 0 at every moment.
     */
    long doubleApplied() {
        Long extra = jdbc.queryForObject("""
                SELECT (SELECT coalesce(sum(payment_count), 0) FROM sluice.account_balances WHERE account LIKE ?)
                     - (SELECT count(*) FROM sluice.payments WHERE account LIKE ?)""", Long.class, like, like);
        return extra == null ? 0 : extra;
    }

    /** Per source partition, the highest offset whose payment row is durably written. */
    Map<Integer, Long> highestWritten() {
        return highestWrittenSince(java.sql.Timestamp.from(java.time.Instant.EPOCH));
    }

    /** The database's clock: rows written later carry a later {@code ingested_at}. */
    java.sql.Timestamp databaseNow() {
        return jdbc.queryForObject("SELECT clock_timestamp()", java.sql.Timestamp.class);
    }

    /**
     * Per source partition, the highest offset whose payment row was first written at or after
     * {@code since}: the work of one run, when {@code since} is that run's start.
     */
    Map<Integer, Long> highestWrittenSince(java.sql.Timestamp since) {
        Map<Integer, Long> highest = new HashMap<>();
        jdbc.query("SELECT source_partition, max(source_offset) FROM sluice.payments WHERE account LIKE ? AND ingested_at >= ? "
                        + "GROUP BY source_partition",
                rs -> {
                    highest.put(rs.getInt(1), rs.getLong(2));
                }, like, since);
        return highest;
    }

    /**
     * Records that a restart will process again although their effect is already durable: per
     * partition, from the committed offset up to the highest durably written offset. Given one
     * run's writes ({@link #highestWrittenSince}), it is what that run's kill costs, which the
     * in-flight bound limits; leftovers of earlier killed runs are counted at their own kill.
     */
    static long redelivered(Map<Integer, Long> highestWritten, Map<Integer, Long> committed) {
        long total = 0;
        for (var entry : highestWritten.entrySet()) {
            long from = committed.getOrDefault(entry.getKey(), 0L);
            total += Math.max(0, entry.getValue() + 1 - from);
        }
        return total;
    }
}
