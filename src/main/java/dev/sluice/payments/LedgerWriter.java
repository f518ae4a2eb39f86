package dev.sluice.payments;

import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.BatchWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * The ledger SQL (contract: DESIGN.md "Output"). One set-based statement inserts the batch's
 * payments and, for the rows that were new, adds their amounts and counts to the balances; a second
 * one reads back stored payments the batch repeated, to tell a duplicate (no effect) from a
 * conflicting reuse of a paymentId (dead-lettered); a third appends one {@code payment_journal} row
 * per record applied, written or duplicate — an effect that is not idempotent, so it shows whether
 * the engine applied each record exactly once.
 *
 * <p>Deadlock freedom: every transaction inserts payments in paymentId order and then updates
 * balances in (account, currency) order, so two concurrent batches take their locks in one global
 * order. Values are passed as bind parameters (arrays), never interpolated. Stateless, thread-safe.
 *
 * <p>Encoding: pgjdbc sends arrays of primitives and strings in PostgreSQL's binary format, so the
 * statement takes {@code long[]}/{@code int[]} (no boxing) and the timestamp as whole epoch seconds
 * plus microseconds (no ISO text built here and parsed by the server); the row order is the arrays'
 * ordinality. Measured against the text arrays it replaces and against binary {@code COPY} into a
 * staging table by {@code LedgerEncodingBench} (src/test/java/dev/sluice/bench).
 */
public final class LedgerWriter implements BatchWriter<Payment> {

    static final String UPSERT = """
            WITH input AS (
                SELECT payment_id, account, currency, amount_cents,
                       to_timestamp(occurred_second) + occurred_micros * interval '1 microsecond' AS occurred_at,
                       source_partition, source_offset, ord
                FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], ?::int4[], ?::int4[], ?::int8[])
                    WITH ORDINALITY AS t(payment_id, account, currency, amount_cents, occurred_second, occurred_micros,
                                         source_partition, source_offset, ord)
            ), inserted AS (
                INSERT INTO sluice.payments (payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset)
                SELECT payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset
                FROM input ORDER BY payment_id, ord
                ON CONFLICT (payment_id) DO NOTHING
                RETURNING payment_id, account, currency, amount_cents
            ), balances AS (
                INSERT INTO sluice.account_balances AS b (account, currency, balance_cents, payment_count, updated_at)
                SELECT account, currency, sum(amount_cents), count(*), now()
                FROM inserted GROUP BY account, currency ORDER BY account, currency
                ON CONFLICT (account, currency) DO UPDATE
                    SET balance_cents = b.balance_cents + excluded.balance_cents,
                        payment_count = b.payment_count + excluded.payment_count,
                        updated_at = excluded.updated_at
            )
            SELECT payment_id FROM inserted
            """;

    /** One journal row per record applied (written or duplicate), in the batch's transaction. */
    static final String JOURNAL = """
            INSERT INTO sluice.payment_journal (source_topic, source_partition, source_offset, payment_id, outcome)
            SELECT topic, source_partition, source_offset, payment_id, CASE WHEN duplicate THEN 'duplicate' ELSE 'written' END
            FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[], ?::bool[])
                AS t(topic, source_partition, source_offset, payment_id, duplicate)
            """;

    static final String STORED = "SELECT payment_id, account, currency, amount_cents FROM sluice.payments WHERE payment_id = ANY(?::text[])";

    @Override
    public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
        int size = batch.size();
        String[] ids = new String[size];
        String[] accounts = new String[size];
        String[] currencies = new String[size];
        long[] amounts = new long[size];
        long[] seconds = new long[size];
        int[] micros = new int[size];
        int[] partitions = new int[size];
        long[] offsets = new long[size];
        for (int i = 0; i < size; i++) {
            SinkItem<Payment> item = batch.get(i);
            Payment payment = item.value();
            ids[i] = payment.paymentId();
            accounts[i] = payment.account();
            currencies[i] = payment.currency();
            amounts[i] = payment.amountCents();
            long epochMicros = epochMicros(payment.occurredAt());
            seconds[i] = Math.floorDiv(epochMicros, 1_000_000L);
            micros[i] = (int) Math.floorMod(epochMicros, 1_000_000L);
            partitions[i] = item.record().ref().partition().partition();
            offsets[i] = item.record().ref().offset();
        }
        PGConnection pg = connection.unwrap(PGConnection.class);
        Set<String> inserted = HashSet.newHashSet(size);
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            upsert.setArray(1, pg.createArrayOf("text", ids));
            upsert.setArray(2, pg.createArrayOf("text", accounts));
            upsert.setArray(3, pg.createArrayOf("text", currencies));
            upsert.setArray(4, pg.createArrayOf("int8", amounts));
            upsert.setArray(5, pg.createArrayOf("int8", seconds));
            upsert.setArray(6, pg.createArrayOf("int4", micros));
            upsert.setArray(7, pg.createArrayOf("int4", partitions));
            upsert.setArray(8, pg.createArrayOf("int8", offsets));
            try (ResultSet rows = upsert.executeQuery()) {
                while (rows.next()) {
                    inserted.add(rows.getString(1));
                }
            }
        }
        List<SinkOutcome> outcomes = outcomes(connection, batch, inserted);
        journal(pg, connection, batch, outcomes);
        return outcomes;
    }

    /**
     * Appends the journal rows of the records applied (the contract of {@code payment_journal}:
     * one per valid source record; its exactness is the engine's, so it has no unique constraint).
     */
    private static void journal(PGConnection pg, Connection connection, List<SinkItem<Payment>> batch, List<SinkOutcome> outcomes)
            throws SQLException {
        int size = 0;
        for (SinkOutcome outcome : outcomes) {
            if (!(outcome instanceof SinkOutcome.Rejected)) {
                size++;
            }
        }
        if (size == 0) {
            return;
        }
        String[] topics = new String[size];
        int[] partitions = new int[size];
        long[] offsets = new long[size];
        String[] ids = new String[size];
        boolean[] duplicates = new boolean[size];
        int row = 0;
        for (int i = 0; i < batch.size(); i++) {
            SinkOutcome outcome = outcomes.get(i);
            if (outcome instanceof SinkOutcome.Rejected) {
                continue;
            }
            SinkItem<Payment> item = batch.get(i);
            topics[row] = item.record().ref().partition().topic();
            partitions[row] = item.record().ref().partition().partition();
            offsets[row] = item.record().ref().offset();
            ids[row] = item.value().paymentId();
            duplicates[row] = outcome instanceof SinkOutcome.Duplicate;
            row++;
        }
        try (PreparedStatement insert = connection.prepareStatement(JOURNAL)) {
            insert.setArray(1, pg.createArrayOf("text", topics));
            insert.setArray(2, pg.createArrayOf("int4", partitions));
            insert.setArray(3, pg.createArrayOf("int8", offsets));
            insert.setArray(4, pg.createArrayOf("text", ids));
            insert.setArray(5, pg.createArrayOf("bool", duplicates));
            insert.executeUpdate();
        }
    }

    /**
     * Microseconds since 1970 exactly as PostgreSQL stores the ISO text of {@code instant} (what
     * this writer sent before): it reads the fraction as a double and rounds {@code fraction × 10^6}
     * half-to-even, so sub-microsecond digits round the same way as they always did.
     */
    static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + (long) Math.rint(instant.getNano() / 1e9 * 1e6);
    }

    /**
     * The first item of each inserted paymentId (the statement inserts in batch order within an
     * id) is written; every other item is compared with what is stored.
     */
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
                if (!inserted.contains(payment.paymentId())) {
                    unknown.add(payment.paymentId());
                }
            }
        }
        if (!unknown.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(STORED)) {
                select.setArray(1, connection.createArrayOf("text", unknown.toArray(String[]::new)));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        stored.putIfAbsent(rows.getString(1), new Payment(rows.getString(1), rows.getString(2),
                                rows.getLong(4), rows.getString(3), null));
                    }
                }
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes.get(i) == null) {
                Payment payment = batch.get(i).value();
                Payment existing = stored.get(payment.paymentId());
                if (existing == null) {
                    throw new SQLException("payment " + payment.paymentId() + " neither inserted nor stored", "XX000");
                }
                outcomes.set(i, existing.sameEffectAs(payment.account(), payment.currency(), payment.amountCents())
                        ? SinkOutcome.DUPLICATE
                        : new SinkOutcome.Rejected(RejectReason.CONFLICT, "paymentId " + payment.paymentId()
                                + " is stored for account " + existing.account() + ", " + existing.amountCents() + " "
                                + existing.currency()));
            }
        }
        return outcomes;
    }
}
