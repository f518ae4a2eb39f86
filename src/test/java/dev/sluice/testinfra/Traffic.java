package dev.sluice.testinfra;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentPublisher;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.awaitility.Awaitility;

/**
 * Creates topics and produces generated payments to a real broker through the shipped
 * {@link PaymentPublisher}, recording what the ledger must end up holding.
 */
public final class Traffic implements AutoCloseable {

    private final String bootstrapServers;
    private final Map<String, PaymentPublisher> publishers = new HashMap<>();

    public Traffic(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public void createTopics(int partitions, String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating " + topic, e);
                    }
                }
                awaitLeaders(admin, topic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until every partition of {@code topic} has a leader: producing into a topic the broker
     * does not lead yet gets NOT_LEADER_OR_FOLLOWER, and the idempotent producer's retry can then
     * run into OUT_OF_ORDER_SEQUENCE until its delivery timeout expires the batch.
     */
    public static void awaitLeaders(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            awaitLeaders(admin, topic);
        }
    }

    private static void awaitLeaders(Admin admin, String topic) {
        Awaitility.await("leaders of every partition of " + topic).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).ignoreExceptionsInstanceOf(UnknownTopicOrPartitionException.class)
                .until(() -> leadersKnown(admin, topic));
    }

    private static boolean leadersKnown(Admin admin, String topic) throws InterruptedException, ExecutionException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    /** Produces {@code count} generated records and waits until the broker acknowledged them all. */
    public ExpectedLedger produce(String topic, PaymentGenerator generator, long count, ExpectedLedger expected) {
        return produce(topic, generator, count, 0, expected);
    }

    /** Like {@link #produce(String, PaymentGenerator, long, ExpectedLedger)}, paced to {@code ratePerSecond} (0: unpaced). */
    public ExpectedLedger produce(String topic, PaymentGenerator generator, long count, double ratePerSecond,
            ExpectedLedger expected) {
        publisher(topic).publish(generator, count, ratePerSecond, expected::add);
        flush();
        return expected;
    }

    /** Sends one hand-made record; {@link #flush()} waits for it. */
    public void send(String topic, String key, byte[] value) {
        publisher(topic).send(key, value);
    }

    /** Waits until the broker acknowledged everything sent; fails if any record was not (expected ledgers would lie). */
    public void flush() {
        publishers.forEach((topic, publisher) -> {
            publisher.flush();
            if (publisher.failed() > 0) {
                throw new IllegalStateException(publisher.failed() + " records to " + topic + " were not acknowledged");
            }
        });
    }

    private PaymentPublisher publisher(String topic) {
        return publishers.computeIfAbsent(topic, t -> new PaymentPublisher(bootstrapServers, t));
    }

    @Override
    public void close() {
        publishers.values().forEach(PaymentPublisher::close);
    }
}
