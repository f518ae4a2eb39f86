package dev.sluice.bench;

import dev.sluice.payments.Payment;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.BatchWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The three ways to hand a batch to the ledger's set-based statement that {@link LedgerEncodingBench}
 * compares, each writing only the insert-and-balance statement (the benchmark's payments are all
 * new, so the shipped writer's read-back of repeated ids never runs): today's text arrays
 * (boxed arrays, timestamps as ISO text cast by the server), pgjdbc binary arrays of primitives
 * (timestamps as epoch seconds + microseconds), and {@code COPY … FROM STDIN (FORMAT binary)} into a
 * temporary staging table.
 */
final class LedgerEncodings {

    private static final String LEDGER_FROM_INPUT = """
            , inserted AS (
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

    private LedgerEncodings() {
    }

    /** Today's encoding, as {@code LedgerWriter} had it before this change. */
    static final class TextArrays implements BatchWriter<Payment> {

        private static final String SQL = """
                WITH input AS (
                    SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[], ?::timestamptz[], ?::int[], ?::bigint[], ?::int[])
                        AS t(payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset, ord)
                )""" + LEDGER_FROM_INPUT;

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
            try (PreparedStatement upsert = connection.prepareStatement(SQL)) {
                upsert.setArray(1, connection.createArrayOf("varchar", ids));
                upsert.setArray(2, connection.createArrayOf("varchar", accounts));
                upsert.setArray(3, connection.createArrayOf("varchar", currencies));
                upsert.setArray(4, connection.createArrayOf("bigint", amounts));
                upsert.setArray(5, connection.createArrayOf("varchar", occurred));
                upsert.setArray(6, connection.createArrayOf("int4", partitions));
                upsert.setArray(7, connection.createArrayOf("bigint", offsets));
                upsert.setArray(8, connection.createArrayOf("int4", order));
                return written(upsert, size);
            }
        }
    }

    /** pgjdbc binary arrays of primitives; the row order is the arrays' ordinality. */
    static final class BinaryArrays implements BatchWriter<Payment> {

        private static final String SQL = """
                WITH input AS (
                    SELECT payment_id, account, currency, amount_cents,
                           to_timestamp(occurred_second) + occurred_micros * interval '1 microsecond' AS occurred_at,
                           source_partition, source_offset, ord
                    FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], ?::int4[], ?::int4[], ?::int8[])
                        WITH ORDINALITY AS t(payment_id, account, currency, amount_cents, occurred_second, occurred_micros,
                                             source_partition, source_offset, ord)
                )""" + LEDGER_FROM_INPUT;

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
            try (PreparedStatement upsert = connection.prepareStatement(SQL)) {
                upsert.setArray(1, pg.createArrayOf("text", ids));
                upsert.setArray(2, pg.createArrayOf("text", accounts));
                upsert.setArray(3, pg.createArrayOf("text", currencies));
                upsert.setArray(4, pg.createArrayOf("int8", amounts));
                upsert.setArray(5, pg.createArrayOf("int8", seconds));
                upsert.setArray(6, pg.createArrayOf("int4", micros));
                upsert.setArray(7, pg.createArrayOf("int4", partitions));
                upsert.setArray(8, pg.createArrayOf("int8", offsets));
                return written(upsert, size);
            }
        }
    }

    /** Binary COPY into a session-temporary staging table, then the same statement reading from it. */
    static final class CopyStaging implements BatchWriter<Payment> {

        private static final String STAGING = """
                CREATE TEMPORARY TABLE IF NOT EXISTS ledger_input (payment_id text, account text, currency text,
                    amount_cents bigint, occurred_at timestamptz, source_partition int, source_offset bigint, ord int)
                    ON COMMIT DELETE ROWS""";
        private static final String SQL = "WITH input AS (SELECT * FROM ledger_input)" + LEDGER_FROM_INPUT;
        private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
        private static final long POSTGRES_EPOCH_MICROS = 946_684_800L * 1_000_000L;

        @Override
        public List<SinkOutcome> write(Connection connection, List<SinkItem<Payment>> batch) throws SQLException {
            int size = batch.size();
            int bytes = SIGNATURE.length + 8 + 2;
            for (SinkItem<Payment> item : batch) {
                Payment payment = item.value();
                bytes += 2 + 8 * 4 + payment.paymentId().length() + payment.account().length() + 3 + 8 + 8 + 4 + 8 + 4;
            }
            ByteBuffer out = ByteBuffer.allocate(bytes);
            out.put(SIGNATURE).putInt(0).putInt(0);
            for (int i = 0; i < size; i++) {
                SinkItem<Payment> item = batch.get(i);
                Payment payment = item.value();
                out.putShort((short) 8);
                ascii(out, payment.paymentId());
                ascii(out, payment.account());
                ascii(out, payment.currency());
                out.putInt(8).putLong(payment.amountCents());
                out.putInt(8).putLong(epochMicros(payment.occurredAt()) - POSTGRES_EPOCH_MICROS);
                out.putInt(4).putInt(item.record().ref().partition().partition());
                out.putInt(8).putLong(item.record().ref().offset());
                out.putInt(4).putInt(i);
            }
            out.putShort((short) -1);
            try (Statement statement = connection.createStatement()) {
                statement.execute(STAGING);
            }
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY ledger_input FROM STDIN (FORMAT binary)");
            try {
                copy.writeToCopy(out.array(), 0, out.position());
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
            try (PreparedStatement upsert = connection.prepareStatement(SQL)) {
                return written(upsert, size);
            }
        }

        private static void ascii(ByteBuffer out, String text) {
            out.putInt(text.length());
            for (int i = 0; i < text.length(); i++) {
                out.put((byte) text.charAt(i));
            }
        }
    }

    /** Microseconds since 1970 as PostgreSQL rounds the ISO text of {@code instant}: rint(fraction × 10^6). */
    static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + (long) Math.rint(instant.getNano() / 1e9 * 1e6);
    }

    private static List<SinkOutcome> written(PreparedStatement upsert, int size) throws SQLException {
        int count = 0;
        try (ResultSet rows = upsert.executeQuery()) {
            while (rows.next()) {
                count++;
            }
        }
        if (count != size) {
            throw new SQLException("benchmark payments must all be new: " + count + " of " + size + " inserted", "XX000");
        }
        return new ArrayList<>(Collections.nCopies(size, SinkOutcome.WRITTEN));
    }
}
