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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ledger SQL (contract: DESIGN.md "Output"). One set-based statement inserts the batch's
 * payments and, for the rows that were new, adds their amounts and counts to the balances; a second
 * one reads back stored payments the batch repeated, to tell a duplicate (no effect) from a
 * conflicting reuse of a paymentId (dead-lettered).
 *
 * <p>Deadlock freedom: every transaction inserts payments in paymentId order and then updates
 * balances in (account, currency) order, so two concurrent batches take their locks in one global
 * order. Values are passed as bind parameters (arrays), never interpolated. Stateless, thread-safe.
 */
public final class LedgerWriter implements BatchWriter<Payment> {

    static final String UPSERT = """
            WITH input AS (
                SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[], ?::timestamptz[], ?::int[], ?::bigint[], ?::int[])
                    AS t(payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset, ord)
            ), inserted AS (
                INSERT INTO payments (payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset)
                SELECT payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset
                FROM input ORDER BY payment_id, ord
                ON CONFLICT (payment_id) DO NOTHING
                RETURNING payment_id, account, currency, amount_cents
            ), balances AS (
                INSERT INTO account_balances AS b (account, currency, balance_cents, payment_count, updated_at)
                SELECT account, currency, sum(amount_cents), count(*), now()
                FROM inserted GROUP BY account, currency ORDER BY account, currency
                ON CONFLICT (account, currency) DO UPDATE
                    SET balance_cents = b.balance_cents + excluded.balance_cents,
                        payment_count = b.payment_count + excluded.payment_count,
                        updated_at = excluded.updated_at
            )
            SELECT payment_id FROM inserted
            """;

    static final String STORED = "SELECT payment_id, account, currency, amount_cents FROM payments WHERE payment_id = ANY(?::varchar[])";

    @Override
    public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
        int size = batch.size();
        String[] ids = new String[size];
        String[] accounts = new String[size];
        String[] currencies = new String[size];
        Long[] amounts = new Long[size];
        String[] occurred = new String[size];
        Integer[] partitions = new Integer[size];
        Long[] offsets = new Long[size];
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            SinkItem<Payment> item = batch.get(i);
            Payment payment = item.value();
            ids[i] = payment.paymentId();
            accounts[i] = payment.account();
            currencies[i] = payment.currency();
            amounts[i] = payment.amountCents();
            occurred[i] = payment.occurredAt().toString();
            partitions[i] = item.record().ref().partition().partition();
            offsets[i] = item.record().ref().offset();
            order[i] = i;
        }
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            Array[] arrays = {
                connection.createArrayOf("varchar", ids), connection.createArrayOf("varchar", accounts),
                connection.createArrayOf("varchar", currencies), connection.createArrayOf("bigint", amounts),
                connection.createArrayOf("varchar", occurred), connection.createArrayOf("int4", partitions),
                connection.createArrayOf("bigint", offsets), connection.createArrayOf("int4", order)
            };
            for (int i = 0; i < arrays.length; i++) {
                upsert.setArray(i + 1, arrays[i]);
            }
            try (ResultSet rows = upsert.executeQuery()) {
                while (rows.next()) {
                    inserted.add(rows.getString(1));
                }
            }
        }
        return outcomes(connection, batch, inserted);
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
                select.setArray(1, connection.createArrayOf("varchar", unknown.toArray(String[]::new)));
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
