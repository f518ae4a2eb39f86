package dev.sluice.pipeline;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Backoff for transient failures (database or broker unavailable). Transient failures are retried
 * until they succeed or the pipeline is aborted, never dead-lettered; the in-flight bound keeps
 * memory flat meanwhile, and the backoff caps the retry rate.
 *
 * @param initialBackoff first wait (default 100ms: rides over a failover blip)
 * @param maxBackoff longest wait (default 10s: a recovered database is noticed within 10 s)
 * @param multiplier growth per attempt (default 2.0)
 * @param jitter random fraction added or removed from each wait (default 0.2: spreads retries of
 *     concurrent sink threads and replicas)
 */
@Validated
@ConfigurationProperties("sluice.retry")
public record RetryProperties(
        @DefaultValue("100ms") Duration initialBackoff,
        @DefaultValue("10s") Duration maxBackoff,
        @DefaultValue("2.0") @DecimalMin("1.0") @DecimalMax("10.0") double multiplier,
        @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0") double jitter) {

    public RetryProperties {
        if (initialBackoff == null || initialBackoff.toMillis() < 1) {
            throw new IllegalArgumentException("sluice.retry.initial-backoff must be at least 1ms, was " + initialBackoff);
        }
        if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("sluice.retry.max-backoff must be at least sluice.retry.initial-backoff, was " + maxBackoff);
        }
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1), without jitter. */
    public Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
}
