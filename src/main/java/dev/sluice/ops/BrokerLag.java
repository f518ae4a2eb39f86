package dev.sluice.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The consumer group's lag as the broker sees it: per source partition the group's committed
 * offset and the log end a read_committed consumer can reach, the last stable offset
 * ({@code sluice.partition.broker.offset{topic, partition, kind=committed|end}}), and their total
 * difference ({@code sluice.group.lag}). Unlike the consumer's own fetch metrics these keep their
 * value while the source is paused or this pod holds no partition, so the lag panel and the lag
 * alert never go blank while any pod runs. A partition the group never committed counts from its
 * log start (records before it were deleted by retention and will never be consumed).
 *
 * <p>Refreshed every {@code sluice.lag.refresh-interval} on one daemon thread, each request bounded
 * by {@code sluice.lag.timeout}. A failed refresh keeps the last values, logs a WARN (on the first
 * failure of a streak and every tenth), and {@code sluice.group.lag.age} (seconds since the last
 * successful refresh) shows how old they are. One per job ({@link BrokerLags}), its meters tagged
 * {@code job=<name>}.
 */
class BrokerLag implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(BrokerLag.class);

    private final Admin admin;
    private final String topic;
    private final String group;
    private final long timeoutMillis;
    private final MultiGauge offsets;
    /** Written only by the refresher thread, read by scrapes. */
    private volatile long lag = -1;
    /** System.nanoTime of the last successful refresh, 0 before the first; written by the refresher thread. */
    private volatile long refreshedAtNanos;
    /** Failed refreshes in a row; refresher thread only. */
    private int failures;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-broker-lag").daemon(true).factory());
    private final long startedNanos = System.nanoTime();

    BrokerLag(Map<String, Object> adminConfig, String topic, String group, BrokerLagProperties properties, MeterRegistry registry) {
        this.timeoutMillis = properties.timeout().toMillis();
        this.admin = Admin.create(adminConfig);
        this.topic = topic;
        this.group = group;
        this.offsets = MultiGauge.builder("sluice.partition.broker.offset")
                .description("Per source partition, from the broker: the group's committed offset and the last stable offset")
                .register(registry);
        Gauge.builder("sluice.group.lag", this, b -> b.lag < 0 ? Double.NaN : b.lag)
                .description("The consumer group's total lag on the source topic (last stable offset - committed), from the broker")
                .register(registry);
        Gauge.builder("sluice.group.lag.age", this, BrokerLag::ageSeconds)
                .description("Seconds since the broker-side lag was last refreshed successfully (since start-up before the first)")
                .baseUnit("seconds")
                .register(registry);
        refresher.scheduleWithFixedDelay(this::refresh, 0, properties.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    double ageSeconds() {
        long since = refreshedAtNanos == 0 ? startedNanos : refreshedAtNanos;
        return (System.nanoTime() - since) / 1e9;
    }

    long lag() {
        return lag;
    }

    void refresh() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(timeoutMillis, TimeUnit.MILLISECONDS);
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResultInfo> starts = offsets(partitions.stream()
                    .filter(partition -> committed.get(partition) == null).toList(), OffsetSpec.earliest());
            long total = 0;
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition).offset();
                OffsetAndMetadata mark = committed.get(partition);
                long position = mark != null ? mark.offset() : starts.get(partition).offset();
                total += Math.max(0, end - position);
                rows.add(MultiGauge.Row.of(Tags.of("topic", partition.topic(), "partition", Integer.toString(partition.partition()), "kind", "end"), end));
                rows.add(MultiGauge.Row.of(Tags.of("topic", partition.topic(), "partition", Integer.toString(partition.partition()), "kind", "committed"), position));
            }
            offsets.register(rows, true);
            lag = total;
            refreshedAtNanos = System.nanoTime();
            if (failures > 0) {
                log.info("broker lag refreshed again after {} failed refreshes", failures);
            }
            failures = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures++;
            if (failures == 1 || failures % 10 == 0) {
                log.warn("broker lag of group {} on {} not refreshed ({} in a row: {}); sluice_group_lag keeps its value of {} s ago",
                        group, topic, failures, e.toString(), Math.round(ageSeconds()));
            }
        }
    }

    /** The offsets of {@code spec} as a read_committed consumer sees them (the end is the last stable offset). */
    private Map<TopicPartition, ListOffsetsResultInfo> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, spec));
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
