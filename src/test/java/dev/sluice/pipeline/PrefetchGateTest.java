package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
