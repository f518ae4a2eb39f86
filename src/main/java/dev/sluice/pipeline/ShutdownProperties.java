package dev.sluice.pipeline;

import java.time.Duration;
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
 */
@Validated
@ConfigurationProperties("sluice.shutdown")
public record ShutdownProperties(
        @DefaultValue("drain") StopMode mode,
        @DefaultValue("30s") Duration drainDeadline,
        @DefaultValue("1s") Duration abortTimeout) {

    public ShutdownProperties {
        ConfigurationBounds.requireBetween("sluice.shutdown.drain-deadline", drainDeadline, Duration.ZERO, Duration.ofHours(1));
        ConfigurationBounds.requireBetween("sluice.shutdown.abort-timeout", abortTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
    }

    /** How in-flight work is treated when consumption stops. */
    public enum StopMode { DRAIN, ABORT }
}
