package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The adaptive worker limit against a simulated stage (closed loop, simulated clock): every worker
 * the limit allows is busy, each record takes what the stage's latency function says for that
 * many concurrent calls, and every record handled is one sample.
 */
class WorkerLimitTest {

    private static final long MS = 1_000_000L;

    /** The simulated clock, continued across the calls of one test. */
    private long now;

    /** Runs the loop for {@code seconds} of simulated time and returns the limit at the end. */
    private int run(WorkerLimit limit, int seconds, IntToLongFunction latencyNanos, boolean allBusy) {
        double due = 0;
        for (int tick = 0; tick < seconds * 1000; tick++, now += MS) {
            int workers = limit.current();
            long latency = latencyNanos.applyAsLong(workers);
            due += workers * (double) MS / latency; // records completing in this 1 ms tick
            for (; due >= 1; due--) {
                limit.sample(now - latency, latency, allBusy ? workers : Math.max(1, workers / 4));
            }
        }
        return limit.current();
    }

    @Test
    void aBlockingStepThatIsNotOverloadedGetsWorkersUpToTheBound() {
        WorkerLimit limit = WorkerLimit.adaptive(16, 4000);
        assertThat(limit.current()).as("starts at the floor").isEqualTo(16);

        int afterOneSecond = run(limit, 1, workers -> 20 * MS, true);
        assertThat(afterOneSecond).as("grows while the 20 ms stays 20 ms").isGreaterThan(100);
        assertThat(run(limit, 2, workers -> 20 * MS, true)).as("within 3 s at the bound").isEqualTo(4000);
        assertThat(run(limit, 60, workers -> 20 * MS, true)).as("and stays there").isEqualTo(4000);
        assertThat(limit.lastMillis()).isEqualTo(20.0);
    }

    @Test
    void aDependencyThatSlowsDownUnderLoadHoldsTheLimitNearItsCapacity() {
        // a service that answers in 20 ms up to 50 concurrent calls and queues beyond: latency ∝ calls / 50
        IntToLongFunction overloaded = workers -> 20 * MS * Math.max(1, workers) / Math.min(Math.max(1, workers), 50) ;
        WorkerLimit limit = WorkerLimit.adaptive(16, 4000);

        int limitAfter = run(limit, 60, overloaded, true);

        assertThat(limitAfter).as("far below the bound of 4000 after a minute: more workers would only queue at the service")
                .isBetween(50, 150);
    }

    @Test
    void aLimitThatIsNotUsedDoesNotGrow() {
        WorkerLimit limit = WorkerLimit.adaptive(16, 4000);

        assertThat(run(limit, 5, workers -> 20 * MS, false)).as("a quarter of the workers busy").isEqualTo(16);
    }

    @Test
    void aCpuOnlyStageIsNotSampledAndKeepsTheFloor() {
        WorkerLimit limit = WorkerLimit.adaptive(16, 4000);

        assertThat(run(limit, 2, workers -> 20_000L, true)).as("20 µs per record").isEqualTo(16);
    }

    @Test
    void aFixedLimitIsThePermitsWhateverTheSamples() {
        WorkerLimit limit = WorkerLimit.fixed(1000);

        assertThat(run(limit, 2, workers -> 20 * MS, true)).isEqualTo(1000);
        assertThat(limit.adaptive()).isFalse();
        assertThat(limit.min()).isEqualTo(1000);
        assertThat(limit.lastMillis()).isZero();
    }

    @Test
    void aDependencyThatBecameSlowerForGoodIsMeasuredAfreshAndTheLimitRecovers() {
        WorkerLimit limit = WorkerLimit.adaptive(16, 4000);
        assertThat(run(limit, 30, workers -> 20 * MS, true)).isEqualTo(4000);

        // the call now takes 50 ms whatever the load: 2.5 × the lowest time seen, so the limit
        // first shrinks; the probe takes the new time as the lowest and it grows back
        int lowest = Integer.MAX_VALUE;
        for (int second = 0; second < 30; second++) {
            lowest = Math.min(lowest, run(limit, 1, workers -> 50 * MS, true));
        }
        assertThat(lowest).as("shrank first").isLessThan(4000);
        assertThat(limit.current()).as("back at the bound within 30 s").isEqualTo(4000);
    }

    @Test
    void boundsOutsideTheirRangeAreRefusedNamingTheProperty() {
        assertThatThrownBy(() -> WorkerLimit.adaptive(20, 10)).hasMessageContaining("sluice.flow.min-worker-permits");
        assertThatThrownBy(() -> WorkerLimit.fixed(0)).hasMessageContaining("sluice.flow.worker-permits");
    }
}
