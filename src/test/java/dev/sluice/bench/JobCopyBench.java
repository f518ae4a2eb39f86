package dev.sluice.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The declarative upsert's write (issue 22: "measure COPY-then-merge again") on the system
 * PostgreSQL, database {@code sluice_bench_stmt}, table {@code bench_items} of the benchmark's shape
 * (id text PRIMARY KEY, version bigint, amount bigint, note text): the statements {@code JobWriter}
 * ships (text arrays: the stored rows' versions read FOR UPDATE, then one UPDATE and one INSERT of
 * what the version guard lets through) against the same three statements reading a temporary
 * staging table filled by COPY (binary or text), and against one merge statement
 * ({@code INSERT … ON CONFLICT DO UPDATE … WHERE} the guard) from text arrays or from a binary COPY.
 * The S1 declarative data: keys repeat (half as many keys as records), versions grow per key, a
 * tenth are stale re-sends; each batch's events are already folded per key (as {@code WritePlan}
 * does), so every contender writes the same rows. Batches of 2000, 4 threads, contenders
 * interleaved, CPU per record of this JVM and of PostgreSQL; a checksum of the final table must
 * agree. Run: {@code java -cp <test classpath> dev.sluice.bench.JobCopyBench [records] [rounds]}.
 */
final class JobCopyBench {

    private static final String DATABASE = "sluice_bench_stmt";
    private static final int BATCH = 2000;
    private static final int THREADS = 4;
    private static final String INPUT = "(SELECT u.ord, u.c0::text AS c0, u.c1::bigint AS c1, u.c2::bigint AS c2, u.c3::text AS c3"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(c0, c1, c2, c3, ord)) s";
    private static final String KEYS = "(SELECT u.ord, u.k0::text AS k0 FROM unnest(?::text[]) WITH ORDINALITY AS u(k0, ord)) s";
    private static final String STAGED = "(SELECT ord, c0, c1, c2, c3 FROM job_input) s";
    private static final String STAGING = "CREATE TEMPORARY TABLE IF NOT EXISTS job_input (c0 text, c1 bigint, c2 bigint, c3 text, ord int)"
            + " ON COMMIT DELETE ROWS";
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    /** One key's row after the batch's events: key, version, amount, note. */
    private record Row(String id, long version, long amount, String note) {
    }

    private interface Writer {
        void write(Connection connection, List<Row> rows) throws SQLException;
    }

    private JobCopyBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String url = BenchInfra.SYSTEM_SERVER + DATABASE;
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS public.bench_items (id text PRIMARY KEY, version bigint NOT NULL,"
                    + " amount bigint NOT NULL, note text)");
        }
        BenchInfra infra = new BenchInfra("", url, "postgres", "", DATABASE);
        CpuMeter cpu = new CpuMeter(infra);
        Map<String, Writer> contenders = new LinkedHashMap<>();
        contenders.put("shipped: arrays, read+UPDATE+INSERT", (c, rows) -> threeStatements(c, rows, false, false));
        contenders.put("COPY binary, read+UPDATE+INSERT", (c, rows) -> threeStatements(c, rows, true, true));
        contenders.put("COPY text, read+UPDATE+INSERT", (c, rows) -> threeStatements(c, rows, true, false));
        contenders.put("arrays, one merge", (c, rows) -> merge(c, rows, false));
        contenders.put("COPY binary, one merge", (c, rows) -> merge(c, rows, true));
        List<List<List<Row>>> batches = batches(records);
        Map<String, List<CpuMeter.PerRecord>> figures = new LinkedHashMap<>();
        Map<String, List<Double>> backendFigures = new LinkedHashMap<>();
        try (HikariDataSource pool = infra.dataSource(THREADS)) {
            for (Map.Entry<String, Writer> contender : contenders.entrySet()) {
                truncate(pool);
                run(pool, contender.getValue(), batches, 8);
                figures.put(contender.getKey(), new ArrayList<>());
                backendFigures.put(contender.getKey(), new ArrayList<>());
            }
            long[] pids = LedgerStatementsBench.backendPids(pool);
            List<String> names = new ArrayList<>(contenders.keySet());
            for (int round = 1; round <= rounds; round++) {
                for (int k = 0; k < names.size(); k++) {
                    String name = names.get((k + round - 1) % names.size());
                    truncate(pool);
                    long backendsBefore = LedgerStatementsBench.ticks(pids);
                    CpuMeter.Snapshot before = cpu.snapshot();
                    long nanos = run(pool, contenders.get(name), batches, Integer.MAX_VALUE);
                    CpuMeter.Snapshot after = cpu.snapshot();
                    double backendMicros = (LedgerStatementsBench.ticks(pids) - backendsBefore) * 10_000.0 / records;
                    CpuMeter.PerRecord perRecord = CpuMeter.perRecord(before, after, records);
                    figures.get(name).add(perRecord);
                    backendFigures.get(name).add(backendMicros);
                    System.out.printf(Locale.ROOT, "round %d  %-36s %,9.0f rec/s  %s (the 4 backends %.1f µs)  checksum %s%n", round, name,
                            records / (nanos / 1e9), perRecord, backendMicros, checksum(pool));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n| variant | PG µs/record mean (min–max) | of which the 4 backends | JVM µs/record mean (min–max) |%n"
                + "|---|---|---|---|%n");
        figures.forEach((name, list) -> System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", name,
                summary(list.stream().mapToDouble(CpuMeter.PerRecord::postgresMicros).toArray()),
                summary(backendFigures.get(name).stream().mapToDouble(Double::doubleValue).toArray()),
                summary(list.stream().mapToDouble(CpuMeter.PerRecord::jvmMicros).toArray())));
    }

    /** As {@code JobWriter}: read the stored versions FOR UPDATE, then UPDATE the newer rows of stored keys and INSERT the new keys. */
    private static void threeStatements(Connection connection, List<Row> rows, boolean copy, boolean binary) throws SQLException {
        if (copy) {
            stage(connection, rows, binary);
        }
        Map<String, Long> stored = HashMap.newHashMap(rows.size());
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT s.ord, t.version FROM public.bench_items t JOIN " + (copy ? STAGED : KEYS) + " ON t.id = " + (copy ? "s.c0" : "s.k0")
                        + " FOR UPDATE OF t")) {
            if (!copy) {
                select.setArray(1, connection.createArrayOf("text", rows.stream().map(Row::id).toArray()));
            }
            try (ResultSet found = select.executeQuery()) {
                while (found.next()) {
                    stored.put(rows.get(found.getInt(1) - 1).id(), found.getLong(2));
                }
            }
        }
        List<Row> updates = new ArrayList<>();
        List<Row> inserts = new ArrayList<>();
        for (Row row : rows) {
            Long version = stored.get(row.id());
            if (version == null) {
                inserts.add(row);
            } else if (version < row.version()) {
                updates.add(row);
            }
        }
        String source = copy ? STAGED : INPUT;
        if (!updates.isEmpty()) {
            execute(connection, "UPDATE public.bench_items t SET version = s.c1, amount = s.c2, note = s.c3 FROM " + source
                    + " WHERE t.id = s.c0" + (copy ? " AND s.c1 > t.version" : ""), copy ? null : updates);
        }
        if (!inserts.isEmpty()) {
            execute(connection, "INSERT INTO public.bench_items (id, version, amount, note) SELECT s.c0, s.c1, s.c2, s.c3 FROM " + source
                    + (copy ? " WHERE NOT EXISTS (SELECT 1 FROM public.bench_items t WHERE t.id = s.c0)" : "") + " ORDER BY s.ord",
                    copy ? null : inserts);
        }
    }

    /** One statement: insert, or update where the stored version is older. */
    private static void merge(Connection connection, List<Row> rows, boolean copy) throws SQLException {
        if (copy) {
            stage(connection, rows, true);
        }
        execute(connection, "INSERT INTO public.bench_items AS t (id, version, amount, note) SELECT s.c0, s.c1, s.c2, s.c3 FROM "
                + (copy ? STAGED : INPUT) + " ORDER BY s.c0 ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
                + " amount = excluded.amount, note = excluded.note WHERE t.version < excluded.version", copy ? null : rows);
    }

    private static void execute(Connection connection, String sql, List<Row> rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (rows != null) {
                statement.setArray(1, connection.createArrayOf("text", rows.stream().map(Row::id).toArray()));
                statement.setArray(2, connection.createArrayOf("text", rows.stream().map(r -> Long.toString(r.version())).toArray()));
                statement.setArray(3, connection.createArrayOf("text", rows.stream().map(r -> Long.toString(r.amount())).toArray()));
                statement.setArray(4, connection.createArrayOf("text", rows.stream().map(Row::note).toArray()));
            }
            statement.executeUpdate();
        }
    }

    private static void stage(Connection connection, List<Row> rows, boolean binary) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(STAGING);
        }
        byte[] data;
        if (binary) {
            ByteBuffer out = ByteBuffer.allocate(SIGNATURE.length + 10 + rows.stream().mapToInt(r -> 2 + 5 * 4 + 8 + 8 + 4
                    + r.id().length() + r.note().getBytes(StandardCharsets.UTF_8).length).sum() + 2);
            out.put(SIGNATURE).putInt(0).putInt(0);
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                byte[] id = row.id().getBytes(StandardCharsets.UTF_8);
                byte[] note = row.note().getBytes(StandardCharsets.UTF_8);
                out.putShort((short) 5).putInt(id.length).put(id).putInt(8).putLong(row.version()).putInt(8).putLong(row.amount())
                        .putInt(note.length).put(note).putInt(4).putInt(i + 1);
            }
            out.putShort((short) -1);
            data = java.util.Arrays.copyOf(out.array(), out.position());
        } else {
            ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 48);
            StringBuilder line = new StringBuilder(64);
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                line.setLength(0);
                line.append(row.id()).append('\t').append(row.version()).append('\t').append(row.amount()).append('\t')
                        .append(row.note()).append('\t').append(i + 1).append('\n');
                out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
            }
            data = out.toByteArray();
        }
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY job_input FROM STDIN" + (binary ? " (FORMAT binary)" : ""));
        try {
            copy.writeToCopy(data, 0, data.length);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * The declarative S1 data in batches per sink shard (4 shards of 2 partitions each, by key hash):
     * a key is in one shard only, so no two threads write it, as the engine's key-ordered dispatch
     * guarantees. Each batch's events are folded per key (its highest version).
     */
    private static List<List<List<Row>>> batches(int records) {
        SplittableRandom random = new SplittableRandom(21);
        int keys = Math.max(1, records / 2);
        Map<String, Long> latest = new HashMap<>();
        List<List<List<Row>>> shards = new ArrayList<>();
        List<Map<String, Row>> open = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            shards.add(new ArrayList<>());
            open.add(new LinkedHashMap<>());
            counts.add(0);
        }
        for (int i = 0; i < records; i++) {
            String key = "item-" + random.nextInt(keys);
            Long current = latest.get(key);
            long version;
            if (current != null && random.nextDouble() < 0.1) {
                version = 1 + random.nextLong(current);
            } else {
                version = current == null ? 1 + random.nextInt(3) : current + 1 + random.nextInt(3);
                latest.put(key, version);
            }
            int shard = Math.floorMod(key.hashCode(), 8) % THREADS;
            open.get(shard).merge(key, new Row(key, version, (key.hashCode() & 0xffff) * 1000L + version, "bench item " + i),
                    (a, b) -> b.version() > a.version() ? b : a);
            counts.set(shard, counts.get(shard) + 1);
            if (counts.get(shard) == BATCH) {
                shards.get(shard).add(new ArrayList<>(open.get(shard).values()));
                open.set(shard, new LinkedHashMap<>());
                counts.set(shard, 0);
            }
        }
        for (int t = 0; t < THREADS; t++) {
            if (!open.get(t).isEmpty()) {
                shards.get(t).add(new ArrayList<>(open.get(t).values()));
            }
        }
        return shards;
    }

    private static long run(HikariDataSource pool, Writer writer, List<List<List<Row>>> shards, int limit) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (List<List<Row>> shard : shards) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (List<Row> batch : shard.subList(0, Math.min(limit, shard.size()))) {
                    try (Connection connection = pool.getConnection()) {
                        writer.write(connection, batch);
                        connection.commit();
                    } catch (SQLException e) {
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

    private static void truncate(HikariDataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE public.bench_items");
            connection.commit();
            connection.setAutoCommit(true);
            statement.execute("CHECKPOINT");
            connection.setAutoCommit(false);
        }
    }

    private static String checksum(HikariDataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) || '/' || sum(version) || '/' || sum(amount) FROM public.bench_items")) {
            rows.next();
            String sum = rows.getString(1);
            connection.commit();
            return sum;
        }
    }

    private static String summary(double[] values) {
        return LedgerStatementsBench.summary(values);
    }
}
