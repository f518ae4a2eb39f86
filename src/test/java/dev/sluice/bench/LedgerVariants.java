package dev.sluice.bench;

import dev.sluice.payments.Payment;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.BatchWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * The ledger statements taken apart for {@link LedgerStatementsBench}: the shipped sequence (upsert,
 * read-back of repeated ids, journal) with parts left out, the journal folded into the upsert as one
 * more CTE, the text comparisons under {@code COLLATE "C"}, and each table written alone. Copies of
 * {@code LedgerWriter}'s SQL as it was when this was written; the bench's payments are all new, so
 * the read-back never runs.
 */
final class LedgerVariants {

    private LedgerVariants() {
    }

    /** Where the journal rows are written. */
    enum Journal { NONE, SEPARATE, FOLDED, LEAN }

    private static final String INPUT = """
            WITH input AS (
                SELECT payment_id, account, currency, amount_cents,
                       to_timestamp(occurred_second) + occurred_micros * interval '1 microsecond' AS occurred_at,
                       source_partition, source_offset, topic, ord
                FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], ?::int4[], ?::int4[], ?::int8[], ?::text[])
                    WITH ORDINALITY AS t(payment_id, account, currency, amount_cents, occurred_second, occurred_micros,
                                         source_partition, source_offset, topic, ord)
            )""";

    private static String inserted(String c) {
        return """
                , inserted AS (
                    INSERT INTO sluice.payments (payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset)
                    SELECT payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset
                    FROM input ORDER BY payment_id%1$s, ord
                    ON CONFLICT (payment_id) DO NOTHING
                    RETURNING payment_id, account, currency, amount_cents, source_partition, source_offset
                )""".formatted(c);
    }

    private static String balances(String c, String from) {
        return """
                , balances AS (
                    INSERT INTO sluice.account_balances AS b (account, currency, balance_cents, payment_count, updated_at)
                    SELECT account%1$s, currency%1$s, sum(amount_cents), count(*), now()
                    FROM %2$s GROUP BY account%1$s, currency%1$s ORDER BY account%1$s, currency%1$s
                    ON CONFLICT (account, currency) DO UPDATE
                        SET balance_cents = b.balance_cents + excluded.balance_cents,
                            payment_count = b.payment_count + excluded.payment_count,
                            updated_at = excluded.updated_at
                )""".formatted(c, from);
    }

    /** The outcome of every input row the upsert did not write, and the journal rows of the applied ones. */
    private static final String FOLDED_JOURNAL = """
            , outcomes AS (
                SELECT i.ord, i.topic, i.payment_id, i.source_partition, i.source_offset,
                       coalesce(n.account, p.account) AS stored_account, coalesce(n.currency, p.currency) AS stored_currency,
                       coalesce(n.amount_cents, p.amount_cents) AS stored_amount,
                       CASE WHEN n.source_partition = i.source_partition AND n.source_offset = i.source_offset THEN 'written'
                            WHEN n.payment_id IS NULL AND p.payment_id IS NULL THEN 'unseen'
                            WHEN coalesce(n.account, p.account) = i.account AND coalesce(n.currency, p.currency) = i.currency
                                 AND coalesce(n.amount_cents, p.amount_cents) = i.amount_cents THEN 'duplicate'
                            ELSE 'conflict' END AS outcome
                FROM input i
                LEFT JOIN inserted n ON n.payment_id = i.payment_id
                LEFT JOIN LATERAL (SELECT s.payment_id, s.account, s.currency, s.amount_cents FROM sluice.payments s
                                   WHERE s.payment_id = i.payment_id AND n.payment_id IS NULL OFFSET 0) p ON true
            ), journal AS (
                INSERT INTO sluice.payment_journal (source_topic, source_partition, source_offset, payment_id, outcome)
                SELECT topic, source_partition, source_offset, payment_id, outcome FROM outcomes
                WHERE outcome IN ('written', 'duplicate') ORDER BY ord
            )
            SELECT ord, outcome, stored_account, stored_currency, stored_amount FROM outcomes WHERE outcome <> 'written'
            """;

    /**
     * The written rows' journal straight from the insert's RETURNING (the batch's one topic as a
     * parameter); the inserted ids come back only when some record was not inserted.
     */
    private static final String LEAN_JOURNAL = """
            , journal AS (
                INSERT INTO sluice.payment_journal (source_topic, source_partition, source_offset, payment_id, outcome)
                SELECT ?, source_partition, source_offset, payment_id, 'written' FROM inserted
            )
            SELECT payment_id FROM inserted WHERE (SELECT count(*) FROM inserted) < ?
            """;

    private static final String JOURNAL = """
            INSERT INTO sluice.payment_journal (source_topic, source_partition, source_offset, payment_id, outcome)
            SELECT topic, source_partition, source_offset, payment_id, CASE WHEN duplicate THEN 'duplicate' ELSE 'written' END
            FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[], ?::bool[])
                AS t(topic, source_partition, source_offset, payment_id, duplicate)
            """;

    private static final String STORED = "SELECT payment_id, account, currency, amount_cents FROM sluice.payments WHERE payment_id = ANY(?::text[])";

    /** The batch's columns, as the shipped writer binds them (plus the topics, for the folded journal). */
    private record Columns(String[] ids, String[] accounts, String[] currencies, long[] amounts, long[] seconds, int[] micros,
            int[] partitions, long[] offsets, String[] topics) {

        static Columns of(List<SinkItem<Payment>> batch) {
            int size = batch.size();
            Columns c = new Columns(new String[size], new String[size], new String[size], new long[size], new long[size],
                    new int[size], new int[size], new long[size], new String[size]);
            for (int i = 0; i < size; i++) {
                SinkItem<Payment> item = batch.get(i);
                Payment payment = item.value();
                c.ids[i] = payment.paymentId();
                c.accounts[i] = payment.account();
                c.currencies[i] = payment.currency();
                c.amounts[i] = payment.amountCents();
                long epochMicros = payment.occurredAt().getEpochSecond() * 1_000_000L
                        + (long) Math.rint(payment.occurredAt().getNano() / 1e9 * 1e6);
                c.seconds[i] = Math.floorDiv(epochMicros, 1_000_000L);
                c.micros[i] = (int) Math.floorMod(epochMicros, 1_000_000L);
                c.partitions[i] = item.record().ref().partition().partition();
                c.offsets[i] = item.record().ref().offset();
                c.topics[i] = item.record().ref().partition().topic();
            }
            return c;
        }

        void bind(PGConnection pg, PreparedStatement statement, boolean withTopics) throws SQLException {
            statement.setArray(1, pg.createArrayOf("text", ids));
            statement.setArray(2, pg.createArrayOf("text", accounts));
            statement.setArray(3, pg.createArrayOf("text", currencies));
            statement.setArray(4, pg.createArrayOf("int8", amounts));
            statement.setArray(5, pg.createArrayOf("int8", seconds));
            statement.setArray(6, pg.createArrayOf("int4", micros));
            statement.setArray(7, pg.createArrayOf("int4", partitions));
            statement.setArray(8, pg.createArrayOf("int8", offsets));
            statement.setArray(9, pg.createArrayOf("text", withTopics ? topics : new String[0]));
        }
    }

    /** The ledger: payments and balances in one statement, the journal as given. */
    static final class Ledger implements BatchWriter<Payment> {

        private final Journal journal;
        private final String upsert;

        /** @param collateC every text sort and group of the statement under {@code COLLATE "C"} */
        Ledger(Journal journal, boolean collateC) {
            this.journal = journal;
            String c = collateC ? " COLLATE \"C\"" : "";
            this.upsert = INPUT + inserted(c) + balances(c, "inserted") + switch (journal) {
                case FOLDED -> FOLDED_JOURNAL;
                case LEAN -> LEAN_JOURNAL;
                default -> "\nSELECT payment_id FROM inserted\n";
            };
        }

        @Override
        public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
            Columns columns = Columns.of(batch);
            PGConnection pg = connection.unwrap(PGConnection.class);
            try (PreparedStatement statement = connection.prepareStatement(upsert)) {
                columns.bind(pg, statement, journal == Journal.FOLDED);
                if (journal == Journal.LEAN) {
                    statement.setString(10, columns.topics[0]);
                    statement.setInt(11, batch.size());
                    try (ResultSet rows = statement.executeQuery()) {
                        if (rows.next()) {
                            throw new SQLException("the bench's payments are all new");
                        }
                    }
                    return new ArrayList<>(Collections.nCopies(batch.size(), SinkOutcome.WRITTEN));
                }
                if (journal == Journal.FOLDED) {
                    List<SinkOutcome> outcomes = new ArrayList<>(Collections.nCopies(batch.size(), SinkOutcome.WRITTEN));
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            int i = rows.getInt(1) - 1;
                            outcomes.set(i, switch (rows.getString(2)) {
                                case "duplicate" -> SinkOutcome.DUPLICATE;
                                case "conflict" -> new SinkOutcome.Rejected(RejectReason.CONFLICT, "conflict", null);
                                default -> throw new SQLException("not seen: " + batch.get(i).value().paymentId());
                            });
                        }
                    }
                    return outcomes;
                }
                Set<String> inserted = HashSet.newHashSet(batch.size());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        inserted.add(rows.getString(1));
                    }
                }
                List<SinkOutcome> outcomes = outcomes(connection, batch, inserted);
                if (journal == Journal.SEPARATE) {
                    journal(pg, connection, columns, outcomes);
                }
                return outcomes;
            }
        }

        static void journal(PGConnection pg, Connection connection, Columns c, List<SinkOutcome> outcomes) throws SQLException {
            boolean[] duplicates = new boolean[outcomes.size()];
            for (int i = 0; i < duplicates.length; i++) {
                duplicates[i] = outcomes.get(i) instanceof SinkOutcome.Duplicate;
            }
            try (PreparedStatement insert = connection.prepareStatement(JOURNAL)) {
                insert.setArray(1, pg.createArrayOf("text", c.topics));
                insert.setArray(2, pg.createArrayOf("int4", c.partitions));
                insert.setArray(3, pg.createArrayOf("int8", c.offsets));
                insert.setArray(4, pg.createArrayOf("text", c.ids));
                insert.setArray(5, pg.createArrayOf("bool", duplicates));
                insert.executeUpdate();
            }
        }

        private static List<SinkOutcome> outcomes(Connection connection, List<SinkItem<Payment>> batch, Set<String> inserted)
                throws SQLException {
            Map<String, Payment> stored = new HashMap<>();
            List<String> unknown = new ArrayList<>();
            List<SinkOutcome> outcomes = new ArrayList<>(batch.size());
            for (SinkItem<Payment> item : batch) {
                Payment payment = item.value();
                if (inserted.contains(payment.paymentId()) && !stored.containsKey(payment.paymentId())) {
                    stored.put(payment.paymentId(), payment);
                    outcomes.add(SinkOutcome.WRITTEN);
                } else {
                    outcomes.add(null);
                    unknown.add(payment.paymentId());
                }
            }
            if (!unknown.isEmpty()) {
                try (PreparedStatement select = connection.prepareStatement(STORED)) {
                    select.setArray(1, connection.createArrayOf("text", unknown.toArray(String[]::new)));
                    select.executeQuery().close();
                }
                for (int i = 0; i < outcomes.size(); i++) {
                    if (outcomes.get(i) == null) {
                        outcomes.set(i, SinkOutcome.DUPLICATE);
                    }
                }
            }
            return outcomes;
        }
    }

    /** The payments insert alone (no balances, no journal). */
    static final class PaymentsOnly implements BatchWriter<Payment> {

        private final String sql;

        PaymentsOnly(boolean collateC) {
            this.sql = INPUT + inserted(collateC ? " COLLATE \"C\"" : "") + "\nSELECT count(*) FROM inserted\n";
        }

        @Override
        public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
            return allWritten(connection, batch, sql);
        }
    }

    /** The balance upsert alone, straight from the input (no payments row, no journal). */
    static final class BalancesOnly implements BatchWriter<Payment> {

        private final String sql;

        BalancesOnly(boolean collateC) {
            this.sql = INPUT + balances(collateC ? " COLLATE \"C\"" : "", "input") + "\nSELECT 1\n";
        }

        @Override
        public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
            return allWritten(connection, batch, sql);
        }
    }

    /** The journal insert alone, every record written. */
    static final class JournalOnly implements BatchWriter<Payment> {

        @Override
        public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
            List<SinkOutcome> outcomes = new ArrayList<>(Collections.nCopies(batch.size(), SinkOutcome.WRITTEN));
            Ledger.journal(connection.unwrap(PGConnection.class), connection, Columns.of(batch), outcomes);
            return outcomes;
        }
    }

    /** No statement at all: what is left is the transaction, the bounds and (exactly-once) the fence and progress. */
    static final class Nothing implements BatchWriter<Payment> {

        @Override
        public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) {
            return new ArrayList<>(Collections.nCopies(batch.size(), SinkOutcome.WRITTEN));
        }
    }

    private static List<SinkOutcome> allWritten(Connection connection, List<SinkItem<Payment>> batch, String sql) throws SQLException {
        Columns columns = Columns.of(batch);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            columns.bind(connection.unwrap(PGConnection.class), statement, false);
            statement.executeQuery().close();
        }
        return new ArrayList<>(Collections.nCopies(batch.size(), SinkOutcome.WRITTEN));
    }
}
