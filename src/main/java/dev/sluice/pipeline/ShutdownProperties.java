package dev.sluice.pipeline;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What SIGTERM (application shutdown) does with in-flight work.
 *
 * @param mode {@code drain} finishes in-flight records first, {@code abort} cancels them
 *     (default drain: nothing is redelivered after a deploy)
 * @param drainDeadline a drain that has not finished by then turns into an abort (default 30s:
 *     20000 in-flight records at 2000/batch and ~200 ms per transaction on 4 sink threads need
 *     ~1 s; the rest is margin
 *     for a slow database). Keep the pod's termination grace period above it.
 * @param abortTimeout how long an abort waits for cancelled workers to end (default 1s)
 * @param onFailure what a failed run (a fatal poll error, an out-of-memory error in a stage) does
 *     to the process once it aborted: {@code fail-liveness} (default) reports liveness DOWN so the
 *     orchestrator restarts the pod, and UP again after a successful {@code resume};
 *     {@code exit} closes the application and exits with status 1; {@code stay-up} only reports
 *     the failure (state STOPPED, the stop report's reason)
 */
@Validated
@ConfigurationProperties("sluice.shutdown")
public record ShutdownProperties(
        @DefaultValue("drain") StopMode mode,
        @DefaultValue("30s") @NotNull @DurationMin @DurationMax(hours = 1) Duration drainDeadline,
        @DefaultValue("1s") @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 1) Duration abortTimeout,
        @DefaultValue("fail-liveness") FailurePolicy onFailure) {

    /** How in-flight work is treated when consumption stops. */
    public enum StopMode { DRAIN, ABORT }

    /** What a failed run does to the process. */
    public enum FailurePolicy { FAIL_LIVENESS, EXIT, STAY_UP }
}
