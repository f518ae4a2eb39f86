package dev.sluice.process;

import java.time.Duration;
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
