package dev.sluice.pipeline;

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
 * How processed records are grouped into sink transactions.
 *
 * @param maxSize records per transaction (default 2000: amortises the commit's fsync and the
 *     statement's fixed cost — in benchmark S1, batches of 2000 (with the in-flight bound at 20000)
 *     instead of 500 (at 5000) cost 40 % less JVM CPU and 14 % less PostgreSQL CPU per record;
 *     larger batches add latency and lock time without much more throughput)
 * @param maxWait a batch is flushed at the latest this long after its first record arrived
 *     (default 20ms: bounds the latency a quiet topic adds)
 * @param sinkThreads transactions written concurrently, each on its own connection (default 4:
 *     keeps the database busy while one batch waits on its commit; keep below the pool size)
 */
@Validated
@ConfigurationProperties("sluice.batch")
public record BatchProperties(
        @DefaultValue("2000") @Min(1) @Max(50_000) int maxSize,
        @DefaultValue("20ms") @NotNull @DurationMin(millis = 1) @DurationMax(seconds = 10) Duration maxWait,
        @DefaultValue("4") @Min(1) @Max(64) int sinkThreads) {
}
