package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.AdaptiveWindow.Decision;
import dev.sluice.pipeline.AdaptiveWindow.Reason;
import dev.sluice.pipeline.AdaptiveWindow.Settings;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdaptiveWindowTest {

    private static final long SECOND = 1_000_000_000L;

    /** min 100, max 20,000, headroom 2, hysteresis 0.25, interval 1 s, settle 3, cooldown 5. */
    private static Settings settings(boolean adaptive) {
        return new Settings(adaptive, 100, 20_000, 2.0, 0.25, SECOND, 3, 5);
    }

    /** Feeds the rule cumulative counters as a pipeline with the given traffic would produce them. */
    private static final class Traffic {
        final AdaptiveWindow rule;
        long now;
        long committed;
        long inFlightNanos;
        long pausedNanos;

        Traffic(Settings settings) {
            rule = new AdaptiveWindow(settings, 0);
        }

        /** One interval of {@code seconds} in which {@code rate}/s were committed after {@code wMillis} each, paused for {@code heldShare} of it. */
        Decision interval(double seconds, double rate, double wMillis, double heldShare) {
            long nanos = (long) (seconds * SECOND);
            long records = Math.round(rate * seconds);
            now += nanos;
            committed += records;
            inFlightNanos += (long) (records * wMillis * 1_000_000);
            pausedNanos += (long) (heldShare * nanos);
            return rule.observe(now, committed, inFlightNanos, pausedNanos);
        }

        Decision interval(double rate, double wMillis, double heldShare) {
            return interval(1.0, rate, wMillis, heldShare);
        }
    }

    @Test
    void startsAtTheMinimumAndFixedModeStaysAtTheBound() {
        assertThat(new AdaptiveWindow(settings(true), 0).current()).isEqualTo(new Decision(100, Reason.STARTING, 0, 0, 0));
        Traffic fixed = new Traffic(settings(false));
        assertThat(fixed.rule.current().window()).isEqualTo(20_000);
        Decision measured = fixed.interval(10_000, 100, 0);
        assertThat(measured.window()).isEqualTo(20_000);
        assertThat(measured.reason()).isEqualTo(Reason.FIXED);
        assertThat(measured.arrivalRate()).as("λ and W are measured in fixed mode too").isEqualTo(10_000.0);
        assertThat(measured.timeInSystemMillis()).isEqualTo(100.0);
        assertThat(measured.needed()).isEqualTo(1_000);
        assertThat(fixed.interval(50_000, 900, 1.0).window()).isEqualTo(20_000);
    }

    @Test
    void steadyTrafficSettlesAtLittlesLawTimesHeadroomAndStaysThere() {
        Traffic traffic = new Traffic(settings(true));
        Decision first = traffic.interval(10_000, 100, 0);
        assertThat(first.needed()).as("L = 10,000/s × 0.1 s").isEqualTo(1_000);
        assertThat(first.window()).isEqualTo(2_000);
        assertThat(first.reason()).isEqualTo(Reason.DEMAND_GREW);
        for (int i = 0; i < 20; i++) {
            Decision next = traffic.interval(10_000, 100, 0);
            assertThat(next.window()).isEqualTo(2_000);
            assertThat(next.reason()).isEqualTo(Reason.STEADY);
        }
    }

    @Test
    void aSlowStageRaisesTheWindowWithW() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        Decision slow = traffic.interval(2.0, 10_000, 500, 0);
        assertThat(slow.needed()).isEqualTo(5_000);
        assertThat(slow.window()).isEqualTo(10_000);
        assertThat(slow.reason()).isEqualTo(Reason.DEMAND_GREW);
    }

    @Test
    void noisyTrafficWithinTheHysteresisDoesNotMoveTheWindow() {
        Traffic traffic = new Traffic(settings(true));
        int window = traffic.interval(10_000, 100, 0).window();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            // ±10 % around the rate that set the window: L × 2 between 1,800 and 2,000 (never above the window
            // because the rule raised it to the first sample, which was the top of the band)
            double rate = 9_000 + random.nextInt(1_001);
            Decision next = traffic.interval(rate, 100, 0);
            assertThat(next.window()).as("sample %d at %.0f/s", i, rate).isEqualTo(window);
        }
    }

    @Test
    void theWindowComesDownOnlyAfterDemandStaysLowForTheSettleSamples() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        assertThat(traffic.interval(8_000, 100, 0)).as("20 %% lower: inside the hysteresis")
                .extracting(Decision::window, Decision::reason).containsExactly(2_000, Reason.STEADY);
        assertThat(traffic.interval(5_000, 100, 0).window()).isEqualTo(2_000);
        assertThat(traffic.interval(5_000, 100, 0).window()).isEqualTo(2_000);
        Decision lowered = traffic.interval(5_000, 100, 0);
        assertThat(lowered.window()).isEqualTo(1_000);
        assertThat(lowered.reason()).isEqualTo(Reason.DEMAND_FELL);
    }

    @Test
    void aSingleHighSampleBreaksTheRunOfLowOnes() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        traffic.interval(5_000, 100, 0);
        traffic.interval(5_000, 100, 0);
        traffic.interval(9_000, 100, 0);
        traffic.interval(5_000, 100, 0);
        assertThat(traffic.interval(5_000, 100, 0).window()).as("two low samples since the high one").isEqualTo(2_000);
        assertThat(traffic.interval(5_000, 100, 0).window()).isEqualTo(1_000);
    }

    @Test
    void aBurstThatHoldsTheSourceDoublesTheWindowWhileThroughputFollows() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        // a backlog: the source sits at the window; with W flat, λ = window / W follows every doubling
        int window = 2_000;
        for (int expected : new int[] {4_000, 8_000, 16_000, 20_000}) {
            Decision next = traffic.interval(window / 0.1, 100, 0.8);
            assertThat(next.reason()).isEqualTo(Reason.PROBING);
            assertThat(next.window()).isEqualTo(expected);
            window = next.window();
        }
        Decision atBound = traffic.interval(window / 0.1, 100, 0.8);
        assertThat(atBound.window()).as("never above sluice.flow.max-in-flight").isEqualTo(20_000);
        assertThat(atBound.reason()).isEqualTo(Reason.AT_BOUND);
    }

    @Test
    void aProbeThatOnlyAddsWaitingRevertsAndHoldsBeforeProbingAgain() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        // the database takes 40,000/s at most: up to a window of 4,000 (λ·W = 40,000 × 0.1) λ follows, above it W grows
        assertThat(traffic.interval(20_000, 100, 0.8).window()).isEqualTo(4_000);
        assertThat(traffic.interval(40_000, 100, 0.8).window()).as("2,000 → 4,000 doubled λ: probe on").isEqualTo(8_000);
        Decision saturated = traffic.interval(42_000, 190, 0.8);
        assertThat(saturated.window()).as("4,000 → 8,000 added 5 %%: back").isEqualTo(4_000);
        assertThat(saturated.reason()).isEqualTo(Reason.SATURATED);
        for (int i = 0; i < 5; i++) {
            Decision holding = traffic.interval(40_000, 100, 0.8);
            assertThat(holding.window()).isEqualTo(4_000);
            assertThat(holding.reason()).isEqualTo(Reason.SATURATED);
        }
        assertThat(traffic.interval(40_000, 100, 0.8)).as("after the cooldown it probes again")
                .extracting(Decision::window, Decision::reason).containsExactly(8_000, Reason.PROBING);
    }

    @Test
    void oncePastTheBurstTheWindowReturnsToDemand() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        traffic.interval(20_000, 100, 0.8);
        traffic.interval(40_000, 100, 0.8);
        assertThat(traffic.rule.current().window()).isEqualTo(8_000);
        traffic.interval(10_000, 100, 0);
        traffic.interval(10_000, 100, 0);
        Decision back = traffic.interval(10_000, 100, 0);
        assertThat(back.window()).isEqualTo(2_000);
        assertThat(back.reason()).isEqualTo(Reason.DEMAND_FELL);
    }

    @Test
    void noCommitsMeansNoMeasurementAndTheWindowHolds() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(traffic.interval(0, 0, 0)).extracting(Decision::window, Decision::reason)
                    .containsExactly(2_000, Reason.IDLE);
        }
    }

    @Test
    void samplesWaitForTheIntervalAndForTwiceTheLastW() {
        Traffic traffic = new Traffic(settings(true));
        assertThat(traffic.interval(0.5, 10_000, 100, 0).reason()).as("half an interval: no sample").isEqualTo(Reason.STARTING);
        assertThat(traffic.interval(0.5, 10_000, 100, 0).window()).isEqualTo(2_000);
        Decision slow = traffic.interval(1.0, 1_000, 3_000, 0);
        assertThat(slow.window()).isEqualTo(6_000);
        assertThat(traffic.interval(4.0, 5_000, 100, 0)).as("W = 3 s: no sample until 6 s after the last").isSameAs(slow);
        Decision next = traffic.interval(2.5, 5_000, 100, 0);
        assertThat(next.reason()).isEqualTo(Reason.STEADY);
        assertThat(next.arrivalRate()).as("the sample spans all 6.5 s").isEqualTo(5_000.0);
    }

    @Test
    void theWindowNeverLeavesItsBounds() {
        Random random = new Random(7);
        for (int run = 0; run < 50; run++) {
            Traffic traffic = new Traffic(settings(true));
            for (int i = 0; i < 200; i++) {
                double rate = random.nextInt(5) == 0 ? 0 : random.nextDouble() * 200_000;
                Decision next = traffic.interval(0.5 + random.nextDouble() * 2, rate, random.nextDouble() * 2_000,
                        random.nextDouble());
                assertThat(next.window()).isBetween(100, 20_000);
            }
        }
    }

    @Test
    void settingsOutsideTheirRangeNameTheProperty() {
        assertThatThrownBy(() -> new Settings(true, 0, 100, 2, 0.25, SECOND, 3, 5)).hasMessageContaining("sluice.flow.min-in-flight");
        assertThatThrownBy(() -> new Settings(true, 200, 100, 2, 0.25, SECOND, 3, 5)).hasMessageContaining("sluice.flow.max-in-flight");
        assertThatThrownBy(() -> new Settings(true, 1, 100, 0.5, 0.25, SECOND, 3, 5)).hasMessageContaining("sluice.flow.window-headroom");
        assertThatThrownBy(() -> new Settings(true, 1, 100, 2, 1.0, SECOND, 3, 5)).hasMessageContaining("sluice.flow.window-hysteresis");
    }
}
