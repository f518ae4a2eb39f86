package dev.sluice.process;

import dev.sluice.testinfra.Traffic;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the tests that run the packaged service as separate JVMs: whatever a test started (its
 * load generator, its fleet of service processes) is stopped after it, pass or fail, so no process
 * outlives its test.
 */
abstract class ProcessTest {

    protected ServiceFleet fleet;
    protected Load load;

    @AfterEach
    void stopLoadAndFleet() {
        if (load != null) {
            load.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    /**
     * Creates this test's fleet (topic, dead-letter topic and group named after {@code prefix}) with
     * {@code partitions} partitions, and returns the probe of its ledger accounts.
     */
    protected LedgerProbe fleetWithTopics(String prefix, GroupProtocol protocol, List<String> args, int partitions) {
        fleet = new ServiceFleet(prefix, protocol, args);
        try (Traffic admin = new Traffic(fleet.infra().bootstrapServers())) {
            admin.createTopics(partitions, fleet.topic(), fleet.deadLetterTopic());
        }
        return new LedgerProbe(fleet.infra().dataSource(), prefix);
    }

    /** Waits until {@code probe} counts at least {@code atLeast} payments applied, failing fast if an instance died. */
    protected static void awaitApplied(LedgerProbe probe, long atLeast, ServiceProcess... running) {
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (ServiceProcess instance : running) {
                instance.requireAlive();
            }
            return probe.applied() >= atLeast;
        });
    }

    /** One line of a test's event log: seconds since {@code startedNanos}, payments applied, what happened. */
    protected static String event(long startedNanos, LedgerProbe probe, String what) {
        return String.format(Locale.ROOT, "%6.1f s  applied %,8d  %s", (System.nanoTime() - startedNanos) / 1e9, probe.applied(), what);
    }
}
