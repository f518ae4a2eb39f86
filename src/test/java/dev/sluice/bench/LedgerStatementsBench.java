package dev.sluice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.payments.LedgerWriter;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.postgres.BatchWriter;
import dev.sluice.postgres.PostgresProgress;
import dev.sluice.postgres.TransactionalBatchSink;
import dev.sluice.testinfra.SluiceSchema;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the ledger sink's PostgreSQL CPU per record goes (issue 22): the exactly-once batch as
 * shipped ({@link TransactionalBatchSink} with a real {@link PostgresProgress}, as S1 runs it) against
 * the same batch with parts left out or changed ({@link LedgerVariants}), on the system PostgreSQL
 * (127.0.0.1:5432, trust, user postgres). S1's payments ({@link PaymentGenerator}, 100k accounts,
 * all new), 8 partitions by account, batches of 2000, 4 sink threads; every contender starts from
 * empty tables after a CHECKPOINT, contenders interleaved round by round (the order rotates), CPU per
 * record of this JVM and of every PostgreSQL process (from /proc), mean and range over the rounds.
 * Schema variants live in databases of their own: {@code sluice_bench_stmt} (the migrations as
 * shipped), {@code …_noidx} (without V4's {@code payment_journal(recorded_at)} index), {@code …_c}
 * (the ledger's key columns {@code COLLATE "C"}).
 * Run: {@code java -cp <test classpath> dev.sluice.bench.LedgerStatementsBench [records] [rounds] [variant;…]}.
 */
final class LedgerStatementsBench {

    private static final String DATABASE = "sluice_bench_stmt";
    private static final int BATCH = 2000;
    private static final int THREADS = 4;
    private static final int PARTITIONS = 8;
    private static final String TOPIC = "ledger";
    private static final String GROUP = "bench";
    private static final long EPOCH = 1;

    private record Contender(String database, BatchWriter<Payment> writer, boolean exactlyOnce) {
    }

    private LedgerStatementsBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String main = DATABASE;
        String noIndex = DATABASE + "_noidx";
        String collateC = DATABASE + "_c";
        String fillfactor = DATABASE + "_ff";
        Map<String, Contender> contenders = new LinkedHashMap<>();
        contenders.put("EO shipped", new Contender(main, new LedgerWriter(), true));
        contenders.put("ALO shipped", new Contender(main, new LedgerWriter(), false));
        contenders.put("EO journal separate (before)", new Contender(main, new LedgerVariants.Ledger(LedgerVariants.Journal.SEPARATE, false), true));
        contenders.put("EO no journal", new Contender(main, new LedgerVariants.Ledger(LedgerVariants.Journal.NONE, false), true));
        contenders.put("EO journal folded", new Contender(main, new LedgerVariants.Ledger(LedgerVariants.Journal.FOLDED, false), true));
        contenders.put("EO journal lean fold", new Contender(main, new LedgerVariants.Ledger(LedgerVariants.Journal.LEAN, false), true));
        contenders.put("EO fence+progress only", new Contender(main, new LedgerVariants.Nothing(), true));
        contenders.put("ALO empty transaction", new Contender(main, new LedgerVariants.Nothing(), false));
        contenders.put("ALO payments only", new Contender(main, new LedgerVariants.PaymentsOnly(false), false));
        contenders.put("ALO balances only", new Contender(main, new LedgerVariants.BalancesOnly(false), false));
        contenders.put("ALO journal only", new Contender(main, new LedgerVariants.JournalOnly(), false));
        contenders.put("ALO journal only, no V4 index", new Contender(noIndex, new LedgerVariants.JournalOnly(), false));
        contenders.put("EO shipped, no V4 index", new Contender(noIndex, new LedgerWriter(), true));
        contenders.put("EO C columns, shipped SQL", new Contender(collateC, new LedgerWriter(), true));
        contenders.put("EO C columns + C sorts", new Contender(collateC, new LedgerVariants.Ledger(LedgerVariants.Journal.SEPARATE, true), true));
        contenders.put("EO C + journal folded", new Contender(collateC, new LedgerVariants.Ledger(LedgerVariants.Journal.FOLDED, true), true));
        contenders.put("ALO payments only, C", new Contender(collateC, new LedgerVariants.PaymentsOnly(true), false));
        contenders.put("ALO balances only, C", new Contender(collateC, new LedgerVariants.BalancesOnly(true), false));
        contenders.put("EO balances fillfactor 70", new Contender(fillfactor, new LedgerWriter(), true));
        contenders.put("ALO balances only, fillfactor 70", new Contender(fillfactor, new LedgerVariants.BalancesOnly(false), false));
        if (args.length > 2) {
            contenders.keySet().retainAll(List.of(args[2].split(";")));
        }
        prepare(main, "");
        prepare(noIndex, "DROP INDEX IF EXISTS sluice.payment_journal_recorded_at");
        prepare(collateC, """
                ALTER TABLE sluice.payments ALTER COLUMN payment_id TYPE varchar(64) COLLATE "C";
                ALTER TABLE sluice.account_balances ALTER COLUMN account TYPE varchar(64) COLLATE "C",
                                                    ALTER COLUMN currency TYPE char(3) COLLATE "C";
                """);
        prepare(fillfactor, "ALTER TABLE sluice.account_balances SET (fillfactor = 70)");
        BenchInfra infra = new BenchInfra("", BenchInfra.SYSTEM_SERVER + main, "postgres", "", "system PostgreSQL");
        CpuMeter cpu = new CpuMeter(infra);
        Map<String, HikariDataSource> pools = new LinkedHashMap<>();
        for (String database : List.of(main, noIndex, collateC, fillfactor)) {
            pools.put(database, new BenchInfra("", BenchInfra.SYSTEM_SERVER + database, "postgres", "", database).dataSource(THREADS));
        }
        List<List<SinkItem<Payment>>> batches = batches(records);
        Map<String, List<CpuMeter.PerRecord>> figures = new LinkedHashMap<>();
        Map<String, List<Double>> backendFigures = new LinkedHashMap<>();
        Map<String, long[]> backends = new LinkedHashMap<>();
        try {
            System.out.printf(Locale.ROOT, "%d records, batches of %d, %d sink threads, %d rounds%n", records, BATCH, THREADS, rounds);
            for (Map.Entry<String, Contender> contender : contenders.entrySet()) {
                HikariDataSource pool = pools.get(contender.getValue().database());
                truncate(pool);
                run(pool, contender.getValue(), batches.subList(0, Math.min(batches.size(), 30)));
                figures.put(contender.getKey(), new ArrayList<>());
                backendFigures.put(contender.getKey(), new ArrayList<>());
            }
            for (Map.Entry<String, HikariDataSource> pool : pools.entrySet()) {
                backends.put(pool.getKey(), backendPids(pool.getValue()));
            }
            List<String> names = new ArrayList<>(contenders.keySet());
            for (int round = 1; round <= rounds; round++) {
                for (int k = 0; k < names.size(); k++) {
                    String name = names.get((k + round - 1) % names.size());
                    Contender contender = contenders.get(name);
                    HikariDataSource pool = pools.get(contender.database());
                    truncate(pool);
                    long[] pids = backends.get(contender.database());
                    long backendsBefore = ticks(pids);
                    CpuMeter.Snapshot before = cpu.snapshot();
                    long nanos = run(pool, contender, batches);
                    CpuMeter.Snapshot after = cpu.snapshot();
                    double backendMicros = (ticks(pids) - backendsBefore) * 10_000.0 / records;
                    CpuMeter.PerRecord perRecord = CpuMeter.perRecord(before, after, records);
                    figures.get(name).add(perRecord);
                    backendFigures.get(name).add(backendMicros);
                    System.out.printf(Locale.ROOT, "round %d  %-32s %,9.0f rec/s  %s (the sink's 4 backends %.1f µs)%n", round, name,
                            records / (nanos / 1e9), perRecord, backendMicros);
                }
            }
        } finally {
            pools.values().forEach(HikariDataSource::close);
        }
        System.out.printf(Locale.ROOT, "%n| variant | PG µs/record mean (min–max) | of which the sink's backends | JVM µs/record mean (min–max) |%n"
                + "|---|---|---|---|%n");
        figures.forEach((name, list) -> System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", name,
                summary(list.stream().mapToDouble(CpuMeter.PerRecord::postgresMicros).toArray()),
                summary(backendFigures.get(name).stream().mapToDouble(Double::doubleValue).toArray()),
                summary(list.stream().mapToDouble(CpuMeter.PerRecord::jvmMicros).toArray())));
    }

    /** "mean (min–max)" of one variant's rounds. */
    static String summary(double[] values) {
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double value : values) {
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", sum / values.length, min, max);
    }

    /** Creates {@code database} if needed, migrates it, applies {@code change}, and gives it the owner rows at {@link #EPOCH}. */
    private static void prepare(String database, String change) throws SQLException {
        try (Connection admin = DriverManager.getConnection(BenchInfra.SYSTEM_SERVER + "postgres", "postgres", "");
                Statement statement = admin.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (!rows.next()) {
                    statement.execute("CREATE DATABASE " + database);
                }
            }
            statement.execute("ALTER DATABASE " + database + " SET synchronous_commit = on");
        }
        String url = BenchInfra.SYSTEM_SERVER + database;
        SluiceSchema.migrate(url, "postgres", "");
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            if (!change.isEmpty()) {
                statement.execute(change);
            }
            statement.execute("DELETE FROM sluice.sluice_owner WHERE consumer_group = '" + GROUP + "'");
            statement.execute("INSERT INTO sluice.sluice_owner (consumer_group, topic, partition, epoch, owner)"
                    + " SELECT '" + GROUP + "', '" + TOPIC + "', p, " + EPOCH + ", 'bench' FROM generate_series(0, " + (PARTITIONS - 1) + ") p");
        }
    }

    /** S1's payments (all new, 100k accounts), partitioned by account as the producer keys them. */
    private static List<List<SinkItem<Payment>>> batches(int records) {
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of("bst", 100_000));
        long[] offsets = new long[PARTITIONS];
        List<List<SinkItem<Payment>>> batches = new ArrayList<>();
        List<SinkItem<Payment>> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < records; i++) {
            Payment payment = generator.next().payment();
            int partition = Math.floorMod(payment.account().hashCode(), PARTITIONS);
            RecordRef ref = new RecordRef(new PartitionId(TOPIC, partition), EPOCH, offsets[partition]++, 150);
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

    private static long run(HikariDataSource pool, Contender contender, List<List<SinkItem<Payment>>> batches)
            throws InterruptedException {
        PostgresProgress progress = contender.exactlyOnce()
                ? new PostgresProgress(pool, GROUP, "bench", Duration.ofSeconds(10), Duration.ofHours(1)) : null;
        TransactionalBatchSink<Payment> sink = new TransactionalBatchSink<>(pool, contender.writer(), progress, ObservationRegistry.NOOP);
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                    try {
                        for (SinkOutcome outcome : sink.write(batches.get(i))) {
                            if (!(outcome instanceof SinkOutcome.Written)) {
                                throw new IllegalStateException("not written: " + outcome);
                            }
                        }
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

    /** The server processes of the pool's connections (all of them held at once, so each is asked). */
    static long[] backendPids(HikariDataSource pool) throws SQLException {
        List<Connection> held = new ArrayList<>();
        long[] pids = new long[THREADS];
        try {
            for (int i = 0; i < THREADS; i++) {
                Connection connection = pool.getConnection();
                held.add(connection);
                try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
                    rows.next();
                    pids[i] = rows.getLong(1);
                }
                connection.commit();
            }
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
        return pids;
    }

    /** User and system clock ticks of {@code pids} (from /proc; a process gone counts 0). */
    static long ticks(long[] pids) {
        long ticks = 0;
        for (long pid : pids) {
            try {
                String line = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
                String[] stat = line.substring(line.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
            } catch (java.io.IOException | RuntimeException e) {
                // gone
            }
        }
        return ticks;
    }

    private static void truncate(HikariDataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE sluice.payments, sluice.account_balances, sluice.payment_journal, sluice.sluice_progress");
            connection.commit();
            connection.setAutoCommit(true);
            statement.execute("CHECKPOINT");
            connection.setAutoCommit(false);
        }
    }
}
