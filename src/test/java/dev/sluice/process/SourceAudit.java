package dev.sluice.process;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
        Set<String> stored = new HashSet<>(jdbc.queryForList("SELECT payment_id FROM payments WHERE account LIKE ?",
                String.class, prefix + "-%"));
        Map<Integer, Missing> missing = new TreeMap<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " not read to its end within 2 min");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Matcher id = PAYMENT_ID.matcher(new String(record.value(), StandardCharsets.UTF_8));
                    if (id.find() && !id.group(1).contains("-bad-") && !stored.contains(id.group(1))) {
                        int onDlt = deadLettered.contains(record.partition() + "@" + record.offset()) ? 1 : 0;
                        missing.merge(record.partition(), new Missing(1, record.offset(), record.offset(), onDlt),
                                (a, b) -> new Missing(a.count() + 1, Math.min(a.firstOffset(), b.firstOffset()),
                                        Math.max(a.lastOffset(), b.lastOffset()), a.deadLettered() + b.deadLettered()));
                    }
                }
            }
        }
        return missing;
    }
}
