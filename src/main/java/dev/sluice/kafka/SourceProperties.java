package dev.sluice.kafka;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Kafka side of the pipeline. Brokers, security and client tuning come from Spring Boot's
 * {@code spring.kafka.*} keys; these are Sluice's own.
 *
 * @param topic the topic payments are read from (default payments)
 * @param deadLetterTopic where invalid records go, same key and value plus reason headers
 *     (default payments.DLT)
 * @param pollTimeout longest a poll blocks when nothing arrives (default 100ms: completions also
 *     wake the poll, so this only bounds how fast control requests are noticed)
 * @param commitInterval offsets are committed at most this often while running (default 200ms:
 *     bounds redelivery after a crash to ~0.2 s of traffic at a few commits per second)
 * @param revokeTimeout on rebalance, how long to wait for in-flight records of revoked partitions
 *     to become durable before committing their prefix (default 5s; keep below max.poll.interval.ms)
 * @param deadLetterTruncateTo a dead letter the producer refuses for good (too large: the broker
 *     took the original compressed) is sent as a copy with key and value cut to this size, with
 *     header {@code sluice.error.truncated} (default 16KB: twice the largest valid payment value
 *     accepted, well below any broker's message limit)
 * @param autoStartup start consuming when the application starts (default true); when false the
 *     pipeline waits STOPPED for a {@code resume}
 */
@Validated
@ConfigurationProperties("sluice.source")
public record SourceProperties(
        @DefaultValue("payments") @NotBlank String topic,
        @DefaultValue("payments.DLT") @NotBlank String deadLetterTopic,
        @DefaultValue("100ms") @NotNull @DurationMin(millis = 1) @DurationMax(seconds = 10) Duration pollTimeout,
        @DefaultValue("200ms") @NotNull @DurationMin @DurationMax(minutes = 1) Duration commitInterval,
        @DefaultValue("5s") @NotNull @DurationMin @DurationMax(minutes = 5) Duration revokeTimeout,
        @DefaultValue("16KB") DataSize deadLetterTruncateTo,
        @DefaultValue("true") boolean autoStartup) {

    public SourceProperties {
        if (deadLetterTruncateTo == null || deadLetterTruncateTo.toBytes() < 256 || deadLetterTruncateTo.toMegabytes() >= 1) {
            throw new IllegalArgumentException("sluice.source.dead-letter-truncate-to must be between 256B and 1MB, was "
                    + deadLetterTruncateTo);
        }
        if (topic != null && topic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("sluice.source.dead-letter-topic must differ from sluice.source.topic (" + topic + ")");
        }
    }
}
