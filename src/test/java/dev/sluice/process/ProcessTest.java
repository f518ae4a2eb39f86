package dev.sluice.process;

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
}
