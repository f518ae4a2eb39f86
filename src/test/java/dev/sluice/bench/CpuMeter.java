package dev.sluice.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * CPU time spent by this JVM (Sluice or the baseline, plus the in-process broker) and by the
 * PostgreSQL server (postmaster, its live backends and the ones it reaped), from /proc. On a shared
 * machine wall-clock rates move with the neighbours' load; CPU per record does not, so it is what
 * before/after comparisons of a change use. Linux only; elsewhere PostgreSQL's share reads 0.
 */
final class CpuMeter {

    /** CPU nanoseconds at one instant; {@code threads}: this JVM's live threads, summed by kind ({@link #kind}). */
    record Snapshot(long jvmNanos, long postgresNanos, Map<String, Long> threads) {
    }

    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

    private final long postmaster;

    CpuMeter(BenchInfra infra) {
        this.postmaster = postmasterPid(infra);
    }

    Snapshot snapshot() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        return new Snapshot(jvm, postgresTicks() * NANOS_PER_TICK, threadTicks());
    }

    /**
     * Where this JVM's CPU went between two snapshots, per record: GC, JIT, the virtual threads'
     * carriers (Sluice's workers and sink), Sluice's poll thread, the in-process broker, the rest
     * (threads that ended in between count nowhere but in the total).
     */
    static String threadsPerRecord(Snapshot before, Snapshot after, long records) {
        StringJoiner out = new StringJoiner(", ", "JVM by thread: ", "");
        for (String kind : List.of("gc", "jit", "carriers", "sluice-poll", "broker", "other")) {
            out.add(String.format(java.util.Locale.ROOT, "%s %.1f", kind, kindPerRecord(before, after, kind, records)));
        }
        return out + " µs";
    }

    /** CPU of one kind of thread ({@link #kind}) between two snapshots, in µs per record. */
    static double kindPerRecord(Snapshot before, Snapshot after, String kind, long records) {
        return Math.max(0, after.threads().getOrDefault(kind, 0L) - before.threads().getOrDefault(kind, 0L)) / 1e3 / records;
    }

    /** The kind of a thread by its native name (at most 15 characters). */
    static String kind(String name) {
        if (name.startsWith("G1 ") || name.startsWith("GC ")) {
            return "gc";
        }
        if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
            return "jit";
        }
        if (name.startsWith("ForkJoinPool-")) {
            return "carriers";
        }
        if (name.startsWith("sluice-poll")) {
            return "sluice-poll";
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("kafka") || lower.contains("broker") || lower.contains("data-plane") || lower.contains("quorum")
                || lower.contains("raft") || lower.contains("controller") || lower.contains("group-coord") || lower.contains("replica")
                || lower.contains("log") || lower.contains("executor-")) {
            return "broker";
        }
        return "other";
    }

    private static Map<String, Long> threadTicks() {
        Map<String, Long> kinds = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String[] stat = stat(task);
                if (stat == null) {
                    continue;
                }
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException e) {
                    continue;
                }
                long nanos = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) * NANOS_PER_TICK;
                kinds.merge(kind(name), nanos, Long::sum);
            }
        } catch (IOException e) {
            return Map.of();
        }
        return kinds;
    }

    /** CPU per record between two snapshots, in microseconds. */
    record PerRecord(double jvmMicros, double postgresMicros) {

        /** "JVM x + PG y µs", the table's column. */
        String describe() {
            return String.format(java.util.Locale.ROOT, "JVM %.1f + PG %.1f µs", jvmMicros, postgresMicros);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "CPU per record: JVM %.1f µs + PostgreSQL %.1f µs", jvmMicros, postgresMicros);
        }
    }

    static PerRecord perRecord(Snapshot before, Snapshot after, long records) {
        return new PerRecord((after.jvmNanos() - before.jvmNanos()) / 1e3 / records,
                (after.postgresNanos() - before.postgresNanos()) / 1e3 / records);
    }

    private long postgresTicks() {
        if (postmaster <= 0) {
            return 0;
        }
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String[] stat = stat(process);
                if (stat == null) {
                    continue;
                }
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid == postmaster) {
                    ticks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]) + Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
                } else if (Long.parseLong(stat[1]) == postmaster) {
                    ticks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks;
    }

    /** Fields after the command name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime. */
    private static String[] stat(Path process) {
        try {
            String line = Files.readString(process.resolve("stat"));
            return line.substring(line.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long postmasterPid(BenchInfra infra) {
        try (Connection connection = DriverManager.getConnection(infra.jdbcUrl(), infra.username(), infra.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            String[] stat = stat(Path.of("/proc", Long.toString(rows.getLong(1))));
            return stat == null ? -1 : Long.parseLong(stat[1]);
        } catch (SQLException e) {
            return -1;
        }
    }
}
