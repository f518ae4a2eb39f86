package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one table a benchmark run prints: a row per scenario and contender. Not thread-safe. */
final class BenchTable {

    /**
     * One measured line.
     *
     * @param rate records per second, first record consumed to lag 0 committed (0 when not a rate)
     * @param versus the ratio that a target is stated on, e.g. "1.83× naive"
     * @param verdict "met", "NOT met" or "" (a reference row)
     * @param flow mean records in flight (and its share of the bound) and poll-to-commit p50 / p99, or ""
     */
    record Row(String scenario, String contender, String settings, long records, double seconds, double rate, String versus,
            String target, String verdict, String check, String cpu, String flow) {

        Row(String scenario, String contender, String settings, long records, double seconds, double rate, String versus,
                String target, String verdict, String check, String cpu) {
            this(scenario, contender, settings, records, seconds, rate, versus, target, verdict, check, cpu, "");
        }

        /** A row with no CPU figure (references, ratios, S4 and S5). */
        Row(String scenario, String contender, String settings, long records, double seconds, double rate, String versus,
                String target, String verdict, String check) {
            this(scenario, contender, settings, records, seconds, rate, versus, target, verdict, check, "", "");
        }

        Row withFlow(String described) {
            return new Row(scenario, contender, settings, records, seconds, rate, versus, target, verdict, check, cpu, described);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** While muted (the warm-up), rows and notes are dropped. */
    private boolean muted;

    void mute(boolean mute) {
        this.muted = mute;
    }

    void add(Row row) {
        if (muted) {
            return;
        }
        rows.add(row);
        System.out.println("[bench] " + format(row));
    }

    void note(String note) {
        if (muted) {
            return;
        }
        notes.add(note);
        System.out.println("[bench] note: " + note);
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    String markdown(String header) {
        StringBuilder out = new StringBuilder(header).append("\n\n");
        out.append("| scenario | contender | settings | records | seconds | records/s | CPU per record | in flight mean (× bound) · poll to commit p50 / p99 | ratio | target | verdict | invariant |\n");
        out.append("|---|---|---|---:|---:|---:|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            out.append(format(row)).append('\n');
        }
        for (String note : notes) {
            out.append("\n- ").append(note);
        }
        return out.append('\n').toString();
    }

    private static String format(Row row) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %,d | %.2f | %s | %s | %s | %s | %s | %s | %s |", row.scenario(), row.contender(),
                row.settings(), row.records(), row.seconds(), row.rate() > 0 ? String.format(Locale.ROOT, "%,.0f", row.rate()) : "–",
                row.cpu(), row.flow(), row.versus(), row.target(), row.verdict(), row.check());
    }

    static String ratio(double value, String of) {
        return String.format(Locale.ROOT, "%.2f× %s", value, of);
    }

    static String verdict(boolean met) {
        return met ? "met" : "NOT met";
    }
}
