package dev.sluice.pipeline;

import java.time.Instant;
import java.util.Map;

/**
 * What the last drain or abort did.
 *
 * @param mode {@code drain}, {@code abort}, or {@code drain→abort} when the deadline passed
 * @param finished records that became durable (or dead-lettered) while stopping
 * @param abandoned records left incomplete; they are redelivered on the next start
 * @param committed the offsets committed last, per partition (the next offset to read)
 * @param reason why it stopped (an operator's request, shutdown, a fatal error)
 */
public record StopReport(String mode, Instant startedAt, long durationMillis, long finished, long abandoned,
        Map<String, Long> committed, String reason) {
}
