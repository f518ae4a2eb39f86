package dev.sluice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.payments.LedgerWriter;
import dev.sluice.payments.Payment;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.postgres.BatchWriter;
import dev.sluice.postgres.TransactionalBatchSink;
import dev.sluice.testinfra.SluiceSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times the ledger statement's input encodings against each other on the system PostgreSQL
 * (127.0.0.1:5432, trust, user postgres, database {@code sluice_bench_encoding}): the same payments,
 * batch size and sink threads as the sink-only ceiling, contenders interleaved round by round so
 * the neighbours' load hits them alike; wall time, JVM and PostgreSQL CPU per record, and a
 * checksum of the stored rows that must be equal for all of them (same values, same rounding of
 * sub-microsecond timestamps). Run: {@code java -cp <test classpath> dev.sluice.bench.LedgerEncodingBench [records] [rounds]}.
 */
final class LedgerEncodingBench {

    private static final String DATABASE = "sluice_bench_encoding";
    private static final int BATCH = 2000;
    private static final int THREADS = 4;

    private LedgerEncodingBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String url = BenchInfra.SYSTEM_SERVER + DATABASE;
        try (Connection admin = DriverManager.getConnection(BenchInfra.SYSTEM_SERVER + "postgres", "postgres", "");
                Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
            if (!rows.next()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
        }
        SluiceSchema.migrate(url, "postgres", "");
        BenchInfra infra = new BenchInfra("", url, "postgres", "", "system PostgreSQL");
        CpuMeter cpu = new CpuMeter(infra);
        Map<String, BatchWriter<Payment>> contenders = new LinkedHashMap<>();
        contenders.put("text arrays (before)", new LedgerEncodings.TextArrays());
        contenders.put("binary arrays", new LedgerEncodings.BinaryArrays());
        contenders.put("COPY binary + temp table", new LedgerEncodings.CopyStaging());
        contenders.put("LedgerWriter (shipped)", new LedgerWriter());
        List<List<SinkItem<Payment>>> batches = batches(records);
        try (HikariDataSource dataSource = infra.dataSource(THREADS)) {
            System.out.printf("warm-up%n");
            for (BatchWriter<Payment> writer : contenders.values()) {
                truncate(dataSource);
                run(dataSource, writer, batches.subList(0, Math.min(batches.size(), 50)));
            }
            List<String> names = new ArrayList<>(contenders.keySet());
            for (int round = 1; round <= rounds; round++) {
                double baseline = 0;
                for (int k = 0; k < names.size(); k++) {
                    String name = names.get((k + round - 1) % names.size());
                    truncate(dataSource);
                    CpuMeter.Snapshot before = cpu.snapshot();
                    long nanos = run(dataSource, contenders.get(name), batches);
                    CpuMeter.Snapshot after = cpu.snapshot();
                    double rate = records / (nanos / 1e9);
                    System.out.printf(Locale.ROOT, "round %d  %-26s %,9.0f rec/s  %s  checksum %s%n", round, name, rate,
                            CpuMeter.perRecord(before, after, records), checksum(dataSource));
                }
            }
        }
    }

    private static List<List<SinkItem<Payment>>> batches(int records) {
        SplittableRandom random = new SplittableRandom(14);
        String[] currencies = {"EUR", "USD", "GBP"};
        long from = Instant.parse("2020-01-01T00:00:00Z").getEpochSecond();
        List<List<SinkItem<Payment>>> batches = new ArrayList<>();
        List<SinkItem<Payment>> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < records; i++) {
            long amount = random.nextLong(1, 100_000) * (random.nextInt(10) == 0 ? -1 : 1);
            Instant at = Instant.ofEpochSecond(from + random.nextLong(10L * 365 * 86_400), random.nextInt(1_000_000_000));
            Payment payment = new Payment("pay-%09d".formatted(i), "acc-" + random.nextInt(100_000), amount,
                    currencies[random.nextInt(currencies.length)], at);
            RecordRef ref = new RecordRef(new PartitionId("memory", i % Dataset.PARTITIONS), 0, i, 150);
            batch.add(new SinkItem<>(new InboundRecord(ref, null, null, 0), payment));
            if (batch.size() == BATCH) {
                batches.add(batch);
                batch = new ArrayList<>(BATCH);
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    private static long run(HikariDataSource dataSource, BatchWriter<Payment> writer, List<List<SinkItem<Payment>>> batches)
            throws InterruptedException {
        TransactionalBatchSink<Payment> sink = new TransactionalBatchSink<>(dataSource, writer);
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                    try {
                        sink.write(batches.get(i));
                    } catch (TransientSinkException | InterruptedException e) {
                        throw new IllegalStateException("write failed", e);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return System.nanoTime() - started;
    }

    private static void truncate(HikariDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE sluice.payments, sluice.account_balances");
            connection.commit();
        }
    }

    /** Every stored value of both tables, hashed in a stable order. */
    private static String checksum(HikariDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("""
                        SELECT (SELECT md5(string_agg(concat_ws('|', payment_id, account, currency, amount_cents,
                                    (extract(epoch FROM occurred_at) * 1000000)::bigint, source_partition, source_offset), ',' ORDER BY payment_id))
                                FROM sluice.payments)
                            || '/' || (SELECT md5(string_agg(concat_ws('|', account, currency, balance_cents, payment_count), ','
                                    ORDER BY account, currency)) FROM sluice.account_balances)""")) {
            rows.next();
            String sum = rows.getString(1);
            connection.commit();
            return sum == null ? "empty" : sum.substring(0, 8) + "/" + sum.substring(33, 41);
        }
    }
}
