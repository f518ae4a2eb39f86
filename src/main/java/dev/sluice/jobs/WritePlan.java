package dev.sluice.jobs;

import dev.sluice.jobs.JobDefinition.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one batch does to its table, worked out before any write: each key's events (rows and
 * deletes, in offset order) are applied in memory to the key's stored state, so the batch can be
 * written with one statement per kind (delete, update, insert) and still end exactly as if every
 * event had been applied in turn. Pure: no I/O; one instance per batch, on the sink thread.
 *
 * <p>The rules, per event: a delete removes the row; an insert of a key that has a row is a
 * conflict (refused); an upsert writes the row unless a version guard finds the row's version as new
 * or newer (stale: skipped); an update writes only over a row that exists (else it is absent:
 * skipped) and follows the version guard likewise.
 */
final class WritePlan {

    /** What became of one event. */
    enum Result { WRITTEN, STALE, ABSENT, CONFLICT }

    /**
     * An event of the batch.
     *
     * @param index its position in the batch
     * @param key the key columns' identities ({@link Conversions#keyIdentity})
     * @param values the row's values; a delete's key values
     * @param delete a delete (a tombstone)
     * @param version the row's version, or null (no guard, or a delete)
     */
    record Event(int index, List<Object> key, Object[] values, boolean delete, Comparable<Object> version) {
    }

    /** A key's stored row as the batch found it: whether it exists and its version (null: none or no guard). */
    record Stored(boolean exists, Comparable<Object> version) {
        static final Stored ABSENT = new Stored(false, null);
    }

    /**
     * Per key: whether the stored row is deleted first, and the row written last (null: none), as an
     * update of the stored row or an insert.
     *
     * @param keyValues values holding the key columns' (for the delete)
     */
    record Action(List<Object> key, Object[] keyValues, boolean delete, Object[] write, boolean update) {
    }

    private final Mode mode;
    private final boolean guarded;
    private final Map<List<Object>, List<Event>> byKey = new LinkedHashMap<>();

    WritePlan(Mode mode, boolean guarded) {
        this.mode = mode;
        this.guarded = guarded;
    }

    void add(Event event) {
        byKey.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event);
    }

    /** The batch's distinct keys, in order of first appearance, each with values holding its key columns'. */
    Map<List<Object>, Object[]> keys() {
        Map<List<Object>, Object[]> keys = new LinkedHashMap<>();
        byKey.forEach((key, events) -> keys.put(key, events.getFirst().values()));
        return keys;
    }

    /**
     * Applies every key's events to its stored state ({@code stored}; a key not in it has no row),
     * setting each event's result in {@code results} (by batch index) and returning one action per
     * key that changes its row.
     */
    List<Action> resolve(Map<List<Object>, Stored> stored, Result[] results) {
        List<Action> actions = new ArrayList<>();
        byKey.forEach((key, events) -> {
            Stored found = stored.getOrDefault(key, Stored.ABSENT);
            boolean exists = found.exists();
            Comparable<Object> version = found.version();
            // the stored row stays in the table until the batch writes, so any delete of the key deletes it
            boolean deleteStored = false;
            Object[] write = null;
            for (Event event : events) {
                Result result;
                if (event.delete()) {
                    deleteStored |= found.exists();
                    exists = false;
                    write = null;
                    version = null;
                    result = Result.WRITTEN;
                } else if (mode == Mode.INSERT && exists) {
                    result = Result.CONFLICT;
                } else if (mode == Mode.UPDATE && !exists) {
                    result = Result.ABSENT;
                } else if (guarded && exists && version != null && event.version().compareTo(version) <= 0) {
                    result = Result.STALE;
                } else {
                    exists = true;
                    write = event.values();
                    version = event.version();
                    result = Result.WRITTEN;
                }
                results[event.index()] = result;
            }
            if (deleteStored || write != null) {
                boolean update = write != null && found.exists() && !deleteStored;
                actions.add(new Action(key, events.getFirst().values(), deleteStored, write, update));
            }
        });
        return actions;
    }
}
