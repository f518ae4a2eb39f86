package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.BenchTable.Row;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness itself works: every scenario path (S1–S5, every contender, the separate
 * S4 process) runs with tiny sizes on the embedded infrastructure and produces the table with
 * positive rates and an exact ledger after each contender. No speed targets are asserted here.
 */
class BenchmarkSmokeIT {

    @Test
    void everyScenarioRunsWithTinySizesAndFillsTheTableWithPositiveRates() throws Exception {
        BenchmarkRunner runner = new BenchmarkRunner(BenchInfra.embedded(), BenchSizes.of("smoke"),
                Set.of("S1", "S2", "S3", "S4", "S5")).run();
        String table = runner.report("smoke");

        assertThat(runner.invariantFailures()).as("contenders that broke the ledger invariant").isEmpty();
        assertThat(runner.table().rows()).extracting(Row::scenario).contains("S1", "S2", "S3", "S4", "S5");
        assertThat(runner.table().rows()).extracting(Row::contender)
                .contains("naive", "sink-only", "Sluice defaults", "Sluice at-least-once", "exactly-once cost", "Sluice tuned", "JVM CPU per record, defaults",
                        "Sluice adaptive workers, at most 4000", "Sluice adaptive workers, at most 4000, step 100 ms", "Sluice in flight 2000, 2000 fixed workers", "Sluice abort",
                        "Sluice drain", "Sluice declarative upsert", "Sluice fixed window", "window at the knee", "window at the knee, bound 60000",
                        "PostgreSQL CPU per record, defaults");
        assertThat(runner.table().rows()).as("every Kafka contender's poll-to-commit times, measured by the Kafka client")
                .filteredOn(row -> row.records() > 0 && (row.scenario().equals("S1") || row.scenario().equals("S2") || row.scenario().equals("S3"))
                        && !row.contender().equals("sink-only"))
                .allSatisfy(row -> assertThat(row.flow()).as(row.contender()).matches(".*\\d ms"));
        assertThat(runner.table().rows()).filteredOn(row -> row.records() > 0 && !row.scenario().equals("S5"))
                .allSatisfy(row -> assertThat(row.rate()).as(row.contender()).isPositive());
        assertThat(runner.table().rows()).filteredOn(row -> !row.check().isEmpty())
                .allSatisfy(row -> assertThat(row.check()).isEqualTo("exact"));
        assertThat(table).contains("| scenario | contender |");
    }
}
