package dev.sluice.process;

import dev.sluice.testinfra.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads the source topic back and finds every valid payment that has no row: the records a commit
 * went past without a durable write. Reported per partition with the offsets, so a loss points at
 * the rebalance or crash that caused it.
 */
final class SourceAudit {

    private static final Pattern PAYMENT_ID = Pattern.compile("\"paymentId\":\"([^\"]+)\"");

    /** Valid records without a row in one partition: how many, the first and last offset, how many were dead-lettered. */
    record Missing(int count, long firstOffset, long lastOffset, int deadLettered) {
    }

    private SourceAudit() {
    }

    /** {@code deadLettered} holds the source positions ("partition@offset") found on the dead-letter topic. */
    static Map<Integer, Missing> missing(String bootstrapServers, String topic, JdbcTemplate jdbc, String prefix,
            Set<String> deadLettered) {
        Set<String> stored = new HashSet<>(jdbc.queryForList("SELECT payment_id FROM sluice.payments WHERE account LIKE ?",
                String.class, prefix + "-%"));
        Map<Integer, Missing> missing = new TreeMap<>();
        TopicReader.readAll(bootstrapServers, topic, Duration.ofMinutes(2), record -> {
            Matcher id = PAYMENT_ID.matcher(new String(record.value(), StandardCharsets.UTF_8));
            if (id.find() && !id.group(1).contains("-bad-") && !stored.contains(id.group(1))) {
                int onDlt = deadLettered.contains(record.partition() + "@" + record.offset()) ? 1 : 0;
                missing.merge(record.partition(), new Missing(1, record.offset(), record.offset(), onDlt),
                        (a, b) -> new Missing(a.count() + 1, Math.min(a.firstOffset(), b.firstOffset()),
                                Math.max(a.lastOffset(), b.lastOffset()), a.deadLettered() + b.deadLettered()));
            }
        });
        return missing;
    }
}
