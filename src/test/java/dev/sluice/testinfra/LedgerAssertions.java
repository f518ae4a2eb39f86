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
        Long stored = jdbc.queryForObject("SELECT count(*) FROM payments WHERE account LIKE ?", Long.class, prefix + "%");
        assertThat(stored).as("stored payments").isEqualTo(expected.distinctValid());
    }

    public static Map<String, ExpectedLedger.Balance> balances(JdbcTemplate jdbc, String prefix) {
        Map<String, ExpectedLedger.Balance> actual = new HashMap<>();
        jdbc.query("SELECT account, currency, balance_cents, payment_count FROM account_balances WHERE account LIKE ?",
                rs -> {
                    actual.put(rs.getString(1) + "/" + rs.getString(2).trim(), new ExpectedLedger.Balance(
                            rs.getBigDecimal(3).toBigIntegerExact(), rs.getLong(4)));
                }, prefix + "%");
        return actual;
    }

    public static long storedPayments(JdbcTemplate jdbc, String prefix) {
        return jdbc.queryForObject("SELECT count(*) FROM payments WHERE account LIKE ?", Long.class, prefix + "%");
    }

    static BigInteger zero() {
        return BigInteger.ZERO;
    }
}
