package dev.sluice.ops;

import dev.sluice.kafka.SourceProperties;
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
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * The consumer group's lag as the broker sees it: per source partition the group's committed
 * offset and the log-end offset ({@code sluice.partition.broker.offset{partition, kind=committed|end}})
 * and their total difference ({@code sluice.group.lag}). Unlike the consumer's own fetch metrics
 * these keep their value while the source is paused or this pod holds no partition, so the lag
 * panel and the lag alert never go blank while any pod runs. Refreshed every
 * {@code sluice.lag.refresh-interval} on one daemon thread, each request bounded by
 * {@code sluice.lag.timeout}; a failed refresh keeps the last values. A partition the group never
 * committed counts from offset 0.
 */
@Component
class BrokerLag implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(BrokerLag.class);

    private final Admin admin;
    private final String topic;
    private final String group;
    private final long timeoutMillis;
    private final MultiGauge offsets;
    /** Written only by the refresher thread, read by scrapes. */
    private volatile long lag = -1;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-broker-lag").daemon(true).factory());

    BrokerLag(KafkaAdmin kafkaAdmin, ConsumerFactory<?, ?> consumers, SourceProperties source, BrokerLagProperties properties,
            MeterRegistry registry) {
        this.timeoutMillis = properties.timeout().toMillis();
        this.admin = Admin.create(kafkaAdmin.getConfigurationProperties());
        this.topic = source.topic();
        this.group = String.valueOf(consumers.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG));
        this.offsets = MultiGauge.builder("sluice.partition.broker.offset")
                .description("Per source partition, from the broker: the group's committed offset and the log-end offset")
                .register(registry);
        Gauge.builder("sluice.group.lag", this, b -> b.lag < 0 ? Double.NaN : b.lag)
                .description("The consumer group's total lag on the source topic (end - committed), from the broker")
                .register(registry);
        refresher.scheduleWithFixedDelay(this::refresh, 0, properties.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    void refresh() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(timeoutMillis, TimeUnit.MILLISECONDS);
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
            long total = 0;
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition).offset();
                OffsetAndMetadata mark = committed.get(partition);
                long position = mark == null ? 0 : mark.offset();
                total += Math.max(0, end - position);
                rows.add(MultiGauge.Row.of(Tags.of("partition", partition.toString(), "kind", "end"), end));
                rows.add(MultiGauge.Row.of(Tags.of("partition", partition.toString(), "kind", "committed"), position));
            }
            offsets.register(rows, true);
            lag = total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("broker lag not refreshed ({}); keeping the last values", e.toString());
        }
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
