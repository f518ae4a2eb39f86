package dev.sluice.jobs;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.payments.LedgerWriter;
import dev.sluice.payments.Payment;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.postgres.BatchWriter;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Rough timing of a declarative upsert with a version guard against the ledger's writer on the
 * embedded PostgreSQL: the same number of records in batches of {@value #BATCH}, one thread, the
 * two interleaved round by round; write time only (both get decoded records), plus the
 * declarative decode on its own. A manual figure for the report, never a test assertion. Run:
 * {@code java -cp <test classpath> dev.sluice.jobs.JobWriterBench [records] [rounds]}.
 */
final class JobWriterBench {

    private static final int BATCH = 2000;

    private JobWriterBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JobsDatabase database = new JobsDatabase("job_bench");
        DataSource dataSource = database.dataSource;
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        database.jdbc.execute("""
                CREATE TABLE orders (order_id text PRIMARY KEY, account text NOT NULL, currency text NOT NULL,
                    amount_cents bigint NOT NULL, occurred_at timestamptz NOT NULL)
                """);
        JobParts job = database.job("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
                "sluice.jobs.orders.mode=upsert", "sluice.jobs.orders.key[0]=order_id", "sluice.jobs.orders.columns.order_id=@key",
                "sluice.jobs.orders.columns.account=/account", "sluice.jobs.orders.columns.currency=/currency",
                "sluice.jobs.orders.columns.amount_cents=/amountCents", "sluice.jobs.orders.columns.occurred_at=/occurredAt",
                "sluice.jobs.orders.version=occurred_at");
        for (int round = 0; round < rounds; round++) {
            List<List<SinkItem<Payment>>> payments = new ArrayList<>();
            List<List<SinkItem<JobRow>>> rows = new ArrayList<>();
            long decodeStart = System.nanoTime();
            for (int start = 0; start < records; start += BATCH) {
                List<SinkItem<Payment>> paymentBatch = new ArrayList<>(BATCH);
                List<SinkItem<JobRow>> rowBatch = new ArrayList<>(BATCH);
                for (int i = start; i < Math.min(records, start + BATCH); i++) {
                    String id = "r" + round + "-" + i;
                    Instant at = Instant.parse("2026-01-01T00:00:00Z").plusMillis(i);
                    long amount = 100 + i % 997;
                    String account = "acc-" + i % 500;
                    InboundRecord record = new InboundRecord(new RecordRef(new PartitionId("orders", 0), 1, i, 100),
                            id.getBytes(StandardCharsets.UTF_8), ("{\"account\":\"" + account + "\",\"currency\":\"EUR\",\"amountCents\":"
                                    + amount + ",\"occurredAt\":\"" + at + "\"}").getBytes(StandardCharsets.UTF_8), 0L);
                    paymentBatch.add(new SinkItem<>(record, new Payment(id, account, amount, "EUR", at)));
                    rowBatch.add(new SinkItem<>(record, ((Decoded.Accepted<JobRow>) job.decoder().decode(record.key(),
                            record.value())).value()));
                }
                payments.add(paymentBatch);
                rows.add(rowBatch);
            }
            double decodeMicros = (System.nanoTime() - decodeStart) / 1e3 / records;
            double ledger = time(dataSource, new LedgerWriter(), payments) / records;
            double declarative = time(dataSource, job.writer(), rows) / records;
            double again = time(dataSource, job.writer(), rows) / records;
            System.out.printf(Locale.ROOT, "round %d: %d records, batch %d: ledger write %.1f µs/record, declarative upsert "
                    + "(version guard, new keys) %.1f µs/record, same batches again (all stale) %.1f µs/record; "
                    + "declarative decode (+ building the payments) %.1f µs/record%n", round, records, BATCH, ledger, declarative,
                    again, decodeMicros);
        }
        new SimpleMeterRegistry().close();
        EmbeddedInfrastructure.shutdown();
    }

    /** Microseconds to write every batch, each in its own committed transaction. */
    private static <T> double time(DataSource dataSource, BatchWriter<T> writer, List<List<SinkItem<T>>> batches) throws Exception {
        long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (List<SinkItem<T>> batch : batches) {
                writer.write(connection, batch);
                connection.commit();
            }
            try (Statement statement = connection.createStatement()) {
                connection.setAutoCommit(true);
                statement.execute("CHECKPOINT");
            }
        }
        return (System.nanoTime() - start) / 1e3;
    }
}
