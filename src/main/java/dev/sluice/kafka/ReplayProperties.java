package dev.sluice.kafka;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
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
        @DefaultValue("30s") @NotNull @DurationMin(seconds = 1) @DurationMax(minutes = 30) Duration stallTimeout,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 5) Duration requestTimeout,
        @DefaultValue("100000") @Min(1) @Max(10_000_000) int remembered) {
}
