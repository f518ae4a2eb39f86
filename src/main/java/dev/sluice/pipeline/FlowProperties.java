package dev.sluice.pipeline;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds of the flow between the Kafka source and the sink.
 *
 * <p>Sizing (Little's law, L = λ·W): at 40,000 records/s and ~250 ms from poll to commit (batches
 * of 2000 written in ~150 ms, plus the wait for a batch and for the commit) about 10,000 records
 * are in flight; the default leaves 2× headroom for bursts and slow batches. The bound must hold
 * several batches per sink thread, or the source pauses while the sink idles (benchmark S1).
 *
 * @param maxInFlight records polled and not yet committed never exceed this; at the mark the source
 *     pauses its partitions (default 20000: 2× the steady-state L above)
 * @param maxInFlightBytes serialized key+value bytes of records polled and not yet durable never
 *     exceed this (default 64MB: 20000 records of up to ~3 KB; memory stays flat under any backlog)
 * @param resumeRatio the source resumes once in flight falls to this fraction of both bounds
 *     (default 0.5: hysteresis so pause/resume does not flap on every poll)
 * @param workerPermits virtual threads running decode/validate/process at once (default 1000:
 *     a process step blocking 20 ms then sustains 50,000 records/s)
 */
@Validated
@ConfigurationProperties("sluice.flow")
public record FlowProperties(
        @DefaultValue("20000") @Min(1) @Max(1_000_000) int maxInFlight,
        @DefaultValue("64MB") DataSize maxInFlightBytes,
        @DefaultValue("0.5") @DecimalMin("0.0") @DecimalMax("0.99") double resumeRatio,
        @DefaultValue("1000") @Min(1) @Max(100_000) int workerPermits) {

    public FlowProperties {
        if (maxInFlightBytes == null || maxInFlightBytes.toBytes() < 1024) {
            throw new IllegalArgumentException("sluice.flow.max-in-flight-bytes must be at least 1KB, was " + maxInFlightBytes);
        }
    }
}
