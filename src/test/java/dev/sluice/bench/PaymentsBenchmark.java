package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The benchmark (not part of the default build; run with {@code ./mvnw -B -ntp -Pbench verify},
 * see docs/BENCHMARK-SECTION.md). System properties: {@code bench.mode} = quick (default) | full,
 * {@code bench.scenarios} = a comma-separated subset of S1..S5 (default all).
 */
class PaymentsBenchmark {

    @Test
    void measuresEveryScenarioAndPrintsOneTable() throws Exception {
        BenchSizes sizes = BenchSizes.of(System.getProperty("bench.mode", "quick"));
        Set<String> scenarios = Arrays.stream(System.getProperty("bench.scenarios", "S1,S2,S3,S4,S5").split(","))
                .map(String::trim).collect(Collectors.toSet());
        BenchInfra infra = BenchInfra.preferSystemPostgres();
        BenchmarkRunner runner = new BenchmarkRunner(infra, sizes, scenarios).run();
        runner.report("Sluice benchmark, mode " + sizes.mode() + ", " + LocalDate.now() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version() + ", Kafka: embedded KRaft broker (same JVM), "
                + "PostgreSQL: " + infra.description());
        assertThat(runner.invariantFailures()).as("contenders that broke the ledger invariant").isEmpty();
    }
}
