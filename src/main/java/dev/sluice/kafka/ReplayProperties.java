package dev.sluice.kafka;

import static dev.sluice.pipeline.ConfigurationBounds.requireBetween;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The bounds of a dead-letter replay run ({@code POST /actuator/deadletters/replay}).
 *
 * @param stallTimeout a run that reads nothing new for this long stops and reports
 *     {@code complete=false} (default 30s: many fetch round trips, well below an HTTP client's patience)
 * @param requestTimeout the longest a metadata request (partitions, end offsets) or a statement on
 *     the replay journal waits (default 10s)
 * @param remembered source positions remembered per run so a second dead letter of one source
 *     record (redelivered after a crash) is counted as a {@code duplicate} of this run (default
 *     100000, a few MB; a crash's duplicates lie within the in-flight bound of each other, far below
 *     it). It only sorts the counts: beyond it, and across runs and pods, the replay journal keeps
 *     the record from being sent back twice
 */
@Validated
@ConfigurationProperties("sluice.replay")
public record ReplayProperties(
        @DefaultValue("30s") Duration stallTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("100000") int remembered) {

    public ReplayProperties {
        requireBetween("sluice.replay.stall-timeout", stallTimeout, Duration.ofSeconds(1), Duration.ofMinutes(30));
        requireBetween("sluice.replay.request-timeout", requestTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        if (remembered < 1 || remembered > 10_000_000) {
            throw new IllegalArgumentException("sluice.replay.remembered must be between 1 and 10000000, was " + remembered);
        }
    }
}
