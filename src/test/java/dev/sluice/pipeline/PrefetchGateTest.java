package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrefetchGateTest {

    @Test
    void pausesWhenOneMorePollCouldOvershootAndResumesAtTheLowMark() {
        PrefetchGate gate = new PrefetchGate(1000, 1_000_000, 100, 10_000, 0.5);
        assertThat(gate.evaluate(900)).isZero();
        assertThat(gate.evaluate(901)).as("901 + a poll of 100 > 1000").isEqualTo(1);
        assertThat(gate.paused()).isTrue();
        assertThat(gate.evaluate(700)).as("hysteresis").isZero();
        assertThat(gate.evaluate(500)).isEqualTo(-1);
        assertThat(gate.paused()).isFalse();
        assertThat(gate.pauses()).isEqualTo(1);
    }

    @Test
    void theByteBoundPausesTooAndBothMustFallToResume() {
        PrefetchGate gate = new PrefetchGate(1000, 100_000, 100, 10_000, 0.5);
        gate.added(95_000);
        assertThat(gate.evaluate(10)).isEqualTo(1);
        gate.released(40_000);
        assertThat(gate.evaluate(10)).as("55,000 bytes still above the 50,000 low mark").isZero();
        gate.released(10_000);
        assertThat(gate.evaluate(10)).isEqualTo(-1);
        assertThat(gate.inFlightBytes()).isEqualTo(45_000);
    }

    @Test
    void aPollLargerThanTheBoundIsRejected() {
        assertThatThrownBy(() -> new PrefetchGate(10, 1000, 20, 100, 0.5))
                .hasMessageContaining("sluice.flow.max-in-flight");
    }

    @Test
    void pausedTimeReadFromAnotherThreadNeverRunsAheadOfTheClock() throws InterruptedException {
        PrefetchGate gate = new PrefetchGate(1000, 1_000_000, 100, 10_000, 0.5);
        long created = System.nanoTime();
        AtomicBoolean toggling = new AtomicBoolean(true);
        AtomicLong violations = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (toggling.get()) {
                // a pause's start read without its flag (or the reverse) showed the machine's uptime;
                // a read racing a resume may see a little more than the resume then books, which is fine
                long paused = gate.pausedNanos();
                if (paused > System.nanoTime() - created) {
                    violations.incrementAndGet();
                }
            }
        });
        for (int i = 0; i < 200_000; i++) {
            gate.evaluate(950);
            gate.evaluate(0);
        }
        toggling.set(false);
        reader.join();
        assertThat(gate.pauses()).isEqualTo(200_000);
        assertThat(violations.get()).as("reads of more paused time than has passed").isZero();
    }

    @Test
    void admitsRecordsUpToTheByteBoundAndAlwaysOneWhenNothingIsInFlight() {
        PrefetchGate gate = new PrefetchGate(1000, 10_000, 100, 1_000, 0.5);
        assertThat(gate.admits(50_000)).as("one record larger than the bound still moves").isTrue();
        gate.added(9_000);
        assertThat(gate.admits(1_000)).isTrue();
        assertThat(gate.admits(1_001)).isFalse();
        assertThat(gate.pauseAtBound()).isTrue();
        assertThat(gate.paused()).isTrue();
        assertThat(gate.pauseAtBound()).as("already paused").isFalse();
    }

    @Test
    void theSourcePausesAtTheWindowAndTheWindowMovesWithWhatIsCommitted() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        List<Long> latencies = new ArrayList<>();
        AdaptiveWindow rule = new AdaptiveWindow(new AdaptiveWindow.Settings(true, 100, 1000, 2.0, 0.25, 1_000_000_000L, 3), now.get());
        PrefetchGate gate = new PrefetchGate(1000, 1_000_000, 100, 10_000, 0.5, rule, latencies::add, now::get);
        assertThat(gate.window().window()).isEqualTo(100);
        assertThat(gate.evaluate(100)).isZero();
        assertThat(gate.evaluate(101)).as("above the window, far below the bound").isEqualTo(1);

        // held at the window for a whole second while 1,000 records were committed, 100 ms each in flight
        for (int i = 0; i < 1000; i++) {
            gate.committed(100_000_000L, 5_000_000L);
        }
        now.addAndGet(1_000_000_000L);
        assertThat(gate.evaluate(90)).as("the window doubled (probe): 90 is below its resume mark of 100").isEqualTo(-1);
        assertThat(gate.window()).extracting(AdaptiveWindow.Decision::window, AdaptiveWindow.Decision::reason)
                .containsExactly(200, AdaptiveWindow.Reason.PROBING);
        assertThat(gate.window().arrivalRate()).isEqualTo(1000.0);
        assertThat(gate.window().timeInSystemMillis()).isEqualTo(100.0);
        assertThat(latencies).hasSize(1000).containsOnly(5_000_000L);
        assertThat(gate.evaluate(200)).isZero();
        assertThat(gate.evaluate(201)).isEqualTo(1);
    }

    @Test
    void theWindowNeverLetsInFlightPastTheBoundsMark() {
        AdaptiveWindow rule = new AdaptiveWindow(new AdaptiveWindow.Settings(false, 100, 1000, 2.0, 0.25, 1_000_000_000L, 3), 0);
        PrefetchGate gate = new PrefetchGate(1000, 1_000_000, 100, 10_000, 0.5, rule, nanos -> { }, () -> 0L);
        assertThat(gate.window().window()).as("fixed: the window is the bound").isEqualTo(1000);
        assertThat(gate.evaluate(900)).isZero();
        assertThat(gate.evaluate(901)).as("901 + a poll of 100 > 1000, as without a window").isEqualTo(1);
        assertThat(gate.evaluate(500)).isEqualTo(-1);
    }
}
