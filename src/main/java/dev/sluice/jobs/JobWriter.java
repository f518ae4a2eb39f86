package dev.sluice.jobs;

import dev.sluice.jobs.ColumnType.Kind;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.BatchWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Writes a batch of a declarative job: reads and locks the stored rows of the batch's keys (with
 * their versions), works out in memory what each key's events in offset order do to its row
 * ({@link WritePlan}), then applies that with at most one DELETE, one UPDATE and one INSERT for the
 * whole batch. A job without key columns only inserts. A constraint the database enforces (a
 * CHECK, a foreign key) fails the statement with its SQLException: the sink bisects the batch down
 * to the record at fault and dead-letters it.
 *
 * <p>Outcomes: written; a stale version (upsert or update over a row as new or newer) is a
 * duplicate, counted by {@code sluice.job.stale}; an update of a key without a row changes nothing,
 * counted by {@code sluice.job.absent}; an insert of a key that has a row is refused as a conflict.
 * The counters count write attempts: a batch rolled back and written again counts again.
 *
 * <p>Stateless between batches and thread-safe: each call works on its own batch and connection.
 */
final class JobWriter implements BatchWriter<JobRow> {

    /** Records skipped as stale, tagged {@code job}. */
    static final String STALE = "sluice.job.stale";
    /** Updates skipped because their key had no row, tagged {@code job}. */
    static final String ABSENT = "sluice.job.absent";

    private final JobMapping mapping;
    private final JobStatements sql;
    private final Counter stale;
    private final Counter absent;

    JobWriter(JobMapping mapping, MeterRegistry registry) {
        this.mapping = mapping;
        this.sql = new JobStatements(mapping);
        this.stale = Counter.builder(STALE).tag("job", mapping.job)
                .description("Records skipped because the stored row's version is as new or newer").register(registry);
        this.absent = Counter.builder(ABSENT).tag("job", mapping.job)
                .description("Updates skipped because their key has no row").register(registry);
    }

    @Override
    public List<SinkOutcome> write(Connection connection, List<SinkItem<JobRow>> batch) throws SQLException {
        SinkOutcome[] outcomes = new SinkOutcome[batch.size()];
        List<Object[]> rows = new ArrayList<>(batch.size());
        List<Integer> indexes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            SinkItem<JobRow> item = batch.get(i);
            JobRow row = item.value();
            if (row.isPending()) {
                throw new IllegalStateException("a pending row reached the writer: the job's process step did not run");
            }
            try {
                mapping.fill(row, item.record());
                rows.add(row.values());
                indexes.add(i);
            } catch (ValueRefused e) {
                outcomes[i] = new SinkOutcome.Rejected(RejectReason.INVALID, e.getMessage());
            }
        }
        if (rows.isEmpty()) {
            return Arrays.asList(outcomes);
        }
        if (mapping.keys.length == 0) {
            insert(connection, rows);
            indexes.forEach(i -> outcomes[i] = SinkOutcome.WRITTEN);
            return Arrays.asList(outcomes);
        }
        WritePlan plan = new WritePlan(mapping.definition.mode(), mapping.version >= 0);
        for (int r = 0; r < rows.size(); r++) {
            int index = indexes.get(r);
            Object[] values = rows.get(r);
            @SuppressWarnings("unchecked")
            Comparable<Object> version = mapping.version < 0 ? null : (Comparable<Object>) values[mapping.version];
            plan.add(new WritePlan.Event(index, key(values), values, batch.get(index).value().delete(), version));
        }
        WritePlan.Result[] results = new WritePlan.Result[batch.size()];
        List<WritePlan.Action> actions = plan.resolve(stored(connection, plan.keys()), results);
        List<Object[]> deletes = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        List<Object[]> inserts = new ArrayList<>();
        for (WritePlan.Action action : actions) {
            if (action.delete()) {
                deletes.add(action.keyValues());
            }
            if (action.write() != null) {
                (action.update() ? updates : inserts).add(action.write());
            }
        }
        if (!deletes.isEmpty()) {
            execute(connection, sql.delete, keyArrays(deletes));
        }
        if (!updates.isEmpty() && sql.update != null) {
            execute(connection, sql.update, rowArrays(updates));
        }
        insert(connection, inserts);
        for (int index : indexes) {
            outcomes[index] = switch (results[index]) {
                case WRITTEN -> SinkOutcome.WRITTEN;
                case STALE -> {
                    stale.increment();
                    yield SinkOutcome.DUPLICATE;
                }
                case ABSENT -> {
                    absent.increment();
                    yield SinkOutcome.WRITTEN;
                }
                case CONFLICT -> new SinkOutcome.Rejected(RejectReason.CONFLICT, "a row with key " + describeKey(rows, indexes, index)
                        + " exists in " + mapping.table.name() + " (mode insert)");
            };
        }
        return Arrays.asList(outcomes);
    }

    private void insert(Connection connection, List<Object[]> rows) throws SQLException {
        if (!rows.isEmpty()) {
            execute(connection, sql.insert, rowArrays(rows));
        }
    }

    private List<Object> key(Object[] values) {
        Object[] key = new Object[mapping.keys.length];
        for (int k = 0; k < key.length; k++) {
            key[k] = Conversions.keyIdentity(values[mapping.keys[k]]);
        }
        return List.of(key);
    }

    /** The stored rows of {@code keys} (locked until the transaction ends) with their versions. */
    private Map<List<Object>, WritePlan.Stored> stored(Connection connection, Map<List<Object>, Object[]> keys) throws SQLException {
        List<List<Object>> order = new ArrayList<>(keys.keySet());
        Map<List<Object>, WritePlan.Stored> stored = HashMap.newHashMap(keys.size());
        try (PreparedStatement select = connection.prepareStatement(sql.stored)) {
            bind(connection, select, keyArrays(new ArrayList<>(keys.values())));
            try (ResultSet found = select.executeQuery()) {
                while (found.next()) {
                    stored.put(order.get(found.getInt(1) - 1), new WritePlan.Stored(true, version(found)));
                }
            }
        }
        return stored;
    }

    @SuppressWarnings("unchecked")
    private Comparable<Object> version(ResultSet found) throws SQLException {
        if (mapping.version < 0) {
            return null;
        }
        Kind kind = mapping.columns.get(mapping.version).type().kind();
        Object value = switch (kind) {
            case INT2, INT4, INT8 -> found.getObject(2) == null ? null : found.getLong(2);
            case NUMERIC -> found.getBigDecimal(2);
            case TIMESTAMPTZ -> {
                OffsetDateTime time = found.getObject(2, OffsetDateTime.class);
                yield time == null ? null : time.toInstant();
            }
            case TIMESTAMP -> found.getObject(2, LocalDateTime.class);
            case DATE -> found.getObject(2, LocalDate.class);
            default -> throw new IllegalStateException("version column of kind " + kind);
        };
        return (Comparable<Object>) value;
    }

    private String[][] keyArrays(List<Object[]> rows) {
        String[][] arrays = new String[mapping.keys.length][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int k = 0; k < mapping.keys.length; k++) {
                arrays[k][r] = Conversions.sqlText(rows.get(r)[mapping.keys[k]]);
            }
        }
        return arrays;
    }

    private String[][] rowArrays(List<Object[]> rows) {
        int width = mapping.columns.size();
        String[][] arrays = new String[width][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] values = rows.get(r);
            for (int c = 0; c < width; c++) {
                arrays[c][r] = Conversions.sqlText(values[c]);
            }
        }
        return arrays;
    }

    private static void execute(Connection connection, String statement, String[][] arrays) throws SQLException {
        try (PreparedStatement prepared = connection.prepareStatement(statement)) {
            bind(connection, prepared, arrays);
            prepared.executeUpdate();
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, String[][] arrays) throws SQLException {
        for (int i = 0; i < arrays.length; i++) {
            statement.setArray(i + 1, connection.createArrayOf("text", arrays[i]));
        }
    }

    private String describeKey(List<Object[]> rows, List<Integer> indexes, int index) {
        Object[] values = rows.get(indexes.indexOf(index));
        StringJoiner key = new StringJoiner(", ", "(", ")");
        for (int k : mapping.keys) {
            key.add(mapping.columns.get(k).name() + "=" + Conversions.sqlText(values[k]));
        }
        return key.toString();
    }
}
