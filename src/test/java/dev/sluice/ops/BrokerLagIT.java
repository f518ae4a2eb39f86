package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.Traffic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker-side lag against a real broker, where it used to be wrong: a partition the group
 * never committed (counted from 0 instead of its log start), a transactional topic with an open
 * transaction (the high watermark instead of the last stable offset a read_committed consumer
 * reaches), and a refresh that keeps failing (stale values kept in silence).
 */
class BrokerLagIT {

    private final String bootstrap = EmbeddedInfrastructure.bootstrapServers();
    private final String name = "lag-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final Map<String, Object> adminConfig = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    private final BrokerLagProperties everyTenMinutes = new BrokerLagProperties(Duration.ofMinutes(10), Duration.ofSeconds(5));
    private Admin admin;
    private Traffic traffic;

    @BeforeEach
    void connect() {
        admin = Admin.create(adminConfig);
        traffic = new Traffic(bootstrap);
    }

    @AfterEach
    void close() {
        traffic.close();
        admin.close();
    }

    @Test
    void aPartitionTheGroupNeverCommittedCountsFromItsLogStart() throws Exception {
        traffic.createTopics(1, name);
        for (int i = 0; i < 10; i++) {
            traffic.send(name, "k" + i, "v".getBytes(StandardCharsets.UTF_8));
        }
        traffic.flush();
        admin.deleteRecords(Map.of(new TopicPartition(name, 0), RecordsToDelete.beforeOffset(6))).all().get();

        try (BrokerLagHandle lag = new BrokerLagHandle(name, name + "-group")) {
            assertThat(lag.refreshed()).as("10 records, the first 6 deleted by retention, nothing committed").isEqualTo(4);
        }
    }

    @Test
    void anOpenTransactionDoesNotCountAsLagUnderReadCommitted() throws Exception {
        traffic.createTopics(1, name);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name + "-tx");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(name, 0, null, new byte[] {1}));
            }
            producer.commitTransaction(); // offsets 0..9 and the commit marker at 10
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(name, 0, null, new byte[] {2}));
            }
            producer.flush(); // written, not committed: a read_committed consumer stops at 11
            String group = name + "-group";
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(name, 0), new OffsetAndMetadata(11))).all().get();

            try (BrokerLagHandle lag = new BrokerLagHandle(name, group)) {
                assertThat(lag.refreshed()).as("the group consumed everything it can see").isZero();
            }
            producer.abortTransaction();
        }
    }

    @Test
    void aFailingRefreshKeepsTheLastValueAndShowsItsAge() throws Exception {
        try (BrokerLagHandle lag = new BrokerLagHandle(name + "-missing", name + "-group")) {
            lag.lag.refresh();
            assertThat(lag.lag.lag()).as("never refreshed: no value rather than a made-up one").isNegative();
            double first = lag.age();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lag.age() > first + 0.5);
            assertThat(lag.registry.get("sluice.group.lag").gauge().value()).isNaN();
        }
    }

    /** A BrokerLag on {@code topic} for {@code group}, refreshed by the test. */
    private final class BrokerLagHandle implements AutoCloseable {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final BrokerLag lag;

        BrokerLagHandle(String topic, String group) {
            lag = new BrokerLag(adminConfig, topic, group, everyTenMinutes, registry);
        }

        long refreshed() {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                lag.refresh();
                return lag.lag() >= 0;
            });
            return (long) registry.get("sluice.group.lag").gauge().value();
        }

        double age() {
            return registry.get("sluice.group.lag.age").gauge().value();
        }

        @Override
        public void close() {
            lag.destroy();
        }
    }
}
