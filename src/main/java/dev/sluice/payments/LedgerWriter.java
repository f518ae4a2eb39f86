package dev.sluice.payments;

import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.BatchWriter;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * The ledger SQL (contract: DESIGN.md "Output"). One set-based statement inserts the batch's
 * payments, for the rows that were new adds their amounts and counts to the balances, and appends
 * their {@code payment_journal} rows ({@code written}); it answers how many rows it inserted, and
 * which ids only when some record was not inserted. Only then does a second statement read back the
 * stored payments the batch repeated, to tell a duplicate (no effect) from a conflicting reuse of a
 * paymentId (dead-lettered), and a third append the duplicates' journal rows. The journal holds one
 * row per record applied, written or duplicate — an effect that is not idempotent, so it shows
 * whether the engine applied each record exactly once. (A batch of several topics, which a job of
 * one topic never has, journals all of its rows in the third statement: the insert's RETURNING
 * carries no topic.)
 *
 * <p>Deadlock freedom: every transaction inserts payments in paymentId order and then updates
 * balances in (account, currency) order, so two concurrent batches take their locks in one global
 * order. Values are passed as bind parameters (arrays), never interpolated. Stateless, thread-safe.
 *
 * <p>Encoding: pgjdbc sends arrays of primitives and strings in PostgreSQL's binary format, so the
 * statement takes {@code long[]}/{@code int[]} (no boxing) and the timestamp as whole epoch seconds
 * plus microseconds (no ISO text built here and parsed by the server); the row order is the arrays'
 * ordinality. Measured against the text arrays it replaces and against binary {@code COPY} into a
 * staging table by {@code LedgerEncodingBench}, and the statements' parts against each other by
 * {@code LedgerStatementsBench} (src/test/java/dev/sluice/bench).
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
                RETURNING payment_id, account, currency, amount_cents, source_partition, source_offset
            ), balances AS (
                INSERT INTO sluice.account_balances AS b (account, currency, balance_cents, payment_count, updated_at)
                SELECT account, currency, sum(amount_cents), count(*), now()
                FROM inserted GROUP BY account, currency ORDER BY account, currency
                ON CONFLICT (account, currency) DO UPDATE
                    SET balance_cents = b.balance_cents + excluded.balance_cents,
                        payment_count = b.payment_count + excluded.payment_count,
                        updated_at = excluded.updated_at
            ), journal AS (
                INSERT INTO sluice.payment_journal (source_topic, source_partition, source_offset, payment_id, outcome)
                SELECT ?::text, source_partition, source_offset, payment_id, 'written' FROM inserted WHERE ?::text IS NOT NULL
            )
            SELECT count(*), CASE WHEN count(*) < ? THEN array_agg(payment_id) END FROM inserted
            """;

    /** Journal rows of records applied (written or duplicate) that the upsert did not journal itself. */
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
        String topic = soleTopic(batch);
        Set<String> inserted;
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            upsert.setArray(1, pg.createArrayOf("text", ids));
            upsert.setArray(2, pg.createArrayOf("text", accounts));
            upsert.setArray(3, pg.createArrayOf("text", currencies));
            upsert.setArray(4, pg.createArrayOf("int8", amounts));
            upsert.setArray(5, pg.createArrayOf("int8", seconds));
            upsert.setArray(6, pg.createArrayOf("int4", micros));
            upsert.setArray(7, pg.createArrayOf("int4", partitions));
            upsert.setArray(8, pg.createArrayOf("int8", offsets));
            upsert.setString(9, topic);
            upsert.setString(10, topic);
            upsert.setInt(11, size);
            try (ResultSet rows = upsert.executeQuery()) {
                rows.next();
                if (rows.getLong(1) == size) {
                    // every record new: the upsert journalled them unless the batch has several topics
                    List<SinkOutcome> outcomes = new ArrayList<>(Collections.nCopies(size, SinkOutcome.WRITTEN));
                    journal(pg, connection, batch, outcomes, topic == null);
                    return outcomes;
                }
                Array stored = rows.getArray(2);
                inserted = stored == null ? Set.of() : Set.of((String[]) stored.getArray());
            }
        }
        List<SinkOutcome> outcomes = outcomes(connection, batch, inserted);
        journal(pg, connection, batch, outcomes, topic == null);
        return outcomes;
    }

    /** The topic of every item of {@code batch}, or null when it has several (the upsert then journals nothing). */
    private static String soleTopic(List<SinkItem<Payment>> batch) {
        String topic = batch.getFirst().record().ref().partition().topic();
        for (SinkItem<Payment> item : batch) {
            if (!item.record().ref().partition().topic().equals(topic)) {
                return null;
            }
        }
        return topic;
    }

    /**
     * Appends the journal rows of the duplicates, and of the written records when {@code written}
     * (the upsert journals those itself for a batch of one topic). The contract of
     * {@code payment_journal}: one row per valid source record applied; its exactness is the
     * engine's, so it has no unique constraint.
     */
    private static void journal(PGConnection pg, Connection connection, List<SinkItem<Payment>> batch, List<SinkOutcome> outcomes,
            boolean written) throws SQLException {
        int size = 0;
        for (SinkOutcome outcome : outcomes) {
            if (journaled(outcome, written)) {
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
            if (!journaled(outcome, written)) {
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

    /** Whether this call journals {@code outcome}: duplicates always, written ones when the upsert did not. */
    private static boolean journaled(SinkOutcome outcome, boolean written) {
        return outcome instanceof SinkOutcome.Duplicate || written && outcome instanceof SinkOutcome.Written;
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
