package dev.sluice.ops;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * When an in-flight record counts as stuck, and what follows. A record is never skipped (the
 * commit rule forbids it): stuck work means an outage that retries are riding out, or a process
 * step that hangs.
 *
 * @param threshold a record incomplete for longer than this is stuck (default 60s: far above a
 *     healthy time in system of milliseconds, below typical alerting windows)
 * @param action {@code report}: log, metric {@code sluice.stuck} and status only; {@code not-ready}:
 *     also take the pod out of readiness so rollouts and alerts notice (default report)
 * @param checkInterval how often the age of the oldest in-flight record is checked (default 5s)
 */
@Validated
@ConfigurationProperties("sluice.stuck")
public record StuckWorkProperties(
        @DefaultValue("60s") @NotNull @DurationMin(millis = 100) Duration threshold,
        @DefaultValue("report") Action action,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 10) @DurationMax(minutes = 5) Duration checkInterval) {

    /** What stuck work does besides being reported. */
    public enum Action { REPORT, NOT_READY }
}
