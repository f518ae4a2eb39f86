package dev.sluice.bench;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Committed lag of consumer groups on one topic, with one admin client for the whole run. */
final class LagProbe implements AutoCloseable {

    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private final Admin admin;
    private final String topic;
    private Map<TopicPartition, Long> ends;

    LagProbe(String bootstrapServers, String topic) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.topic = topic;
        refreshEnds();
    }

    /** Re-reads the end offsets (after more records were produced). */
    void refreshEnds() {
        ends = get(() -> {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            Map<TopicPartition, OffsetSpec> request = partitions.stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            return admin.listOffsets(request).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        });
    }

    long records() {
        return ends.values().stream().mapToLong(Long::longValue).sum();
    }

    long lag(String group) {
        Map<TopicPartition, OffsetAndMetadata> committed = get(() ->
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
        long lag = 0;
        for (var end : ends.entrySet()) {
            OffsetAndMetadata offset = committed.get(end.getKey());
            lag += end.getValue() - (offset == null ? 0 : offset.offset());
        }
        return lag;
    }

    /** Waits for lag 0 of {@code group}; returns the System.nanoTime() it was first seen. */
    long awaitNoLag(String group, Duration timeout) throws TimeoutException {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofNanos(POLL_NANOS)).until(() -> lag(group) == 0);
        } catch (ConditionTimeoutException e) {
            throw new TimeoutException("group " + group + " still has lag " + lag(group) + " on " + topic + " after " + timeout);
        }
        return System.nanoTime();
    }

    @Override
    public void close() {
        admin.close();
    }

    private interface Call<T> {
        T get() throws InterruptedException, ExecutionException;
    }

    private static <T> T get(Call<T> call) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
