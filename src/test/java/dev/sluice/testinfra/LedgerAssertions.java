package dev.sluice.testinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/** Checks the invariant of DESIGN.md against the database. */
public final class LedgerAssertions {

    private LedgerAssertions() {
    }

    /** Balances and counts for every account starting with {@code prefix}, exactly as expected. */
    public static void assertInvariant(JdbcTemplate jdbc, String prefix, ExpectedLedger expected) {
        Map<String, ExpectedLedger.Balance> actual = balances(jdbc, prefix);
        assertThat(actual).as("account_balances for %s*", prefix).containsExactlyInAnyOrderEntriesOf(expected.balances());
        Long stored = jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE account LIKE ?", Long.class, prefix + "%");
        assertThat(stored).as("stored payments").isEqualTo(expected.distinctValid());
    }

    /** The journal rows of one source topic: how many, and at how many distinct source positions. */
    public record Journal(long rows, long positions) {

        /** Rows beyond one per source position: records applied more than once. */
        public long repeated() {
            return rows - positions;
        }
    }

    public static Journal journal(JdbcTemplate jdbc, String topic) {
        return jdbc.queryForObject("SELECT count(*), count(DISTINCT (source_partition, source_offset)) FROM sluice.payment_journal"
                + " WHERE source_topic = ?", (rs, row) -> new Journal(rs.getLong(1), rs.getLong(2)), topic);
    }

    /**
     * Exactly-once (DESIGN.md "Invariant"): every valid source record of {@code topic} has exactly
     * one journal row, and no other rows exist.
     */
    public static void assertJournalExact(JdbcTemplate jdbc, String topic, ExpectedLedger expected) {
        Journal journal = journal(jdbc, topic);
        long valid = expected.produced() - expected.deadLetterTotal();
        assertThat(journal.positions()).as("source records of %s with a journal row (= valid records)", topic).isEqualTo(valid);
        assertThat(journal.repeated()).as("journal rows beyond one per source record (records applied twice)").isZero();
    }

    public static Map<String, ExpectedLedger.Balance> balances(JdbcTemplate jdbc, String prefix) {
        Map<String, ExpectedLedger.Balance> actual = new HashMap<>();
        jdbc.query("SELECT account, currency, balance_cents, payment_count FROM sluice.account_balances WHERE account LIKE ?",
                rs -> {
                    actual.put(rs.getString(1) + "/" + rs.getString(2).trim(), new ExpectedLedger.Balance(
                            rs.getBigDecimal(3).toBigIntegerExact(), rs.getLong(4)));
                }, prefix + "%");
        return actual;
    }

    public static long storedPayments(JdbcTemplate jdbc, String prefix) {
        return jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE account LIKE ?", Long.class, prefix + "%");
    }

    static BigInteger zero() {
        return BigInteger.ZERO;
    }
}
