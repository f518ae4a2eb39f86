package dev.sluice.testinfra;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Committed offsets and lag of a consumer group, read from the broker (what a restart would see). */
public final class ConsumerLag {

    private ConsumerLag() {
    }

    /** Sum over partitions of (end offset − committed offset); a partition never committed counts whole. */
    public static long of(String bootstrapServers, String group, String topic) {
        Map<Integer, Long> committed = committed(bootstrapServers, group);
        return endOffsets(bootstrapServers, topic).entrySet().stream()
                .mapToLong(end -> end.getValue() - committed.getOrDefault(end.getKey(), 0L))
                .sum();
    }

    /** Committed offsets per partition number. */
    public static Map<Integer, Long> committed(String bootstrapServers, String group) {
        return withAdmin(bootstrapServers, admin -> {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        });
    }

    /** End offsets per partition number. */
    public static Map<Integer, Long> endOffsets(String bootstrapServers, String topic) {
        return withAdmin(bootstrapServers, admin -> {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            Map<TopicPartition, OffsetSpec> request = partitions.stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            return admin.listOffsets(request).all().get().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        });
    }

    private interface AdminCall<T> {
        T apply(Admin admin) throws InterruptedException, ExecutionException;
    }

    private static <T> T withAdmin(String bootstrapServers, AdminCall<T> call) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return call.apply(admin);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
