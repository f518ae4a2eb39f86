package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jobs.JobDefinition.Mode;
import dev.sluice.jobs.WritePlan.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The batch plan ends where applying each event in turn ends: the same rows, the same versions, the
 * same result for every event, whatever the mix of keys, deletes, versions and stored rows.
 */
class WritePlanTest {

    /** A generated event: key a/b/c, a delete or a row with a version 0-4. */
    record Step(String key, boolean delete, long version) {
    }

    /** A stored row: its event label (-1 for the stored one) and version. */
    record Row(int label, Long version) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.of("a", "b", "c"), Arbitraries.of(true, false, false),
                Arbitraries.longs().between(0, 4)).as(Step::new).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<Map<String, Long>> stored() {
        return Arbitraries.maps(Arbitraries.of("a", "b", "c"), Arbitraries.longs().between(0, 4)).ofMaxSize(3);
    }

    @Property
    void thePlanEndsWhereApplyingEachEventInTurnEnds(@ForAll("steps") List<Step> steps, @ForAll("stored") Map<String, Long> stored,
            @ForAll Mode mode, @ForAll boolean guarded) {
        Map<String, Row> table = new HashMap<>();
        stored.forEach((key, version) -> table.put(key, new Row(-1, guarded ? version : null)));
        Map<String, Row> sequential = new HashMap<>(table);
        Result[] expected = new Result[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            expected[i] = apply(sequential, steps.get(i), i, mode, guarded);
        }

        WritePlan plan = new WritePlan(mode, guarded);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            @SuppressWarnings("unchecked")
            Comparable<Object> version = guarded && !step.delete() ? (Comparable<Object>) (Comparable<?>) step.version() : null;
            plan.add(new WritePlan.Event(i, List.of(step.key()), new Object[] {step.key(), i, version}, step.delete(), version));
        }
        Map<List<Object>, WritePlan.Stored> found = new HashMap<>();
        table.forEach((key, row) -> found.put(List.of(key), new WritePlan.Stored(true, comparable(row.version()))));
        Result[] results = new Result[steps.size()];
        List<WritePlan.Action> actions = plan.resolve(found, results);

        Map<String, Row> planned = new HashMap<>(table);
        for (WritePlan.Action action : actions) {
            String key = (String) action.key().getFirst();
            if (action.delete()) {
                assertThat(planned).containsKey(key);
                planned.remove(key);
            }
            if (action.write() != null) {
                assertThat(planned.containsKey(key)).as("an update finds its row, an insert none").isEqualTo(action.update());
                planned.put(key, new Row((Integer) action.write()[1], (Long) action.write()[2]));
            }
        }
        assertThat(planned).isEqualTo(sequential);
        assertThat(results).containsExactly(expected);
    }

    private static Result apply(Map<String, Row> table, Step step, int label, Mode mode, boolean guarded) {
        Row row = table.get(step.key());
        if (step.delete()) {
            table.remove(step.key());
            return Result.WRITTEN;
        }
        if (mode == Mode.INSERT && row != null) {
            return Result.CONFLICT;
        }
        if (mode == Mode.UPDATE && row == null) {
            return Result.ABSENT;
        }
        if (guarded && row != null && row.version() != null && step.version() <= row.version()) {
            return Result.STALE;
        }
        table.put(step.key(), new Row(label, guarded ? step.version() : null));
        return Result.WRITTEN;
    }

    @SuppressWarnings("unchecked")
    private static Comparable<Object> comparable(Long version) {
        return (Comparable<Object>) (Comparable<?>) version;
    }

    @Test
    void updateDeleteUpdateOfAStoredKeyDeletesItAndInsertsTheLastRow() {
        WritePlan plan = new WritePlan(Mode.UPSERT, false);
        plan.add(new WritePlan.Event(0, List.of("k"), new Object[] {"k", "first"}, false, null));
        plan.add(new WritePlan.Event(1, List.of("k"), new Object[] {"k", null}, true, null));
        plan.add(new WritePlan.Event(2, List.of("k"), new Object[] {"k", "last"}, false, null));
        Result[] results = new Result[3];

        List<WritePlan.Action> actions = plan.resolve(Map.of(List.of("k"), new WritePlan.Stored(true, null)), results);

        assertThat(actions).singleElement().satisfies(action -> {
            assertThat(action.delete()).isTrue();
            assertThat(action.update()).isFalse();
            assertThat(action.write()).containsExactly("k", "last");
        });
        assertThat(results).containsOnly(Result.WRITTEN);
    }

    @Test
    void aKeyWhoseEventsChangeNothingHasNoAction() {
        WritePlan plan = new WritePlan(Mode.UPSERT, true);
        plan.add(new WritePlan.Event(0, List.of("k"), new Object[] {"k"}, false, comparable(3L)));
        Result[] results = new Result[1];

        assertThat(plan.resolve(Map.of(List.of("k"), new WritePlan.Stored(true, comparable(3L))), results)).isEmpty();
        assertThat(results).containsExactly(Result.STALE);
        assertThat(new ArrayList<>(plan.keys().keySet())).containsExactly(List.of("k"));
    }
}
