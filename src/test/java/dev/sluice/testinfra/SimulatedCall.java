package dev.sluice.testinfra;

import java.time.Duration;

/**
 * A stand-in for a blocking I/O call (an enrichment service) in test process steps: it takes
 * {@code latency} and answers interrupts like a real call. It is load for the pipeline under test,
 * not a wait for something to happen: tests wait for conditions with Awaitility or latches.
 */
public final class SimulatedCall {

    private SimulatedCall() {
    }

    public static void take(Duration latency) throws InterruptedException {
        if (!latency.isZero()) {
            Thread.sleep(latency);
        }
    }
}
