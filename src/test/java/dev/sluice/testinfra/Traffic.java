package dev.sluice.testinfra;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentPublisher;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

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
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Produces {@code count} generated records and waits until the broker acknowledged them all. */
    public ExpectedLedger produce(String topic, PaymentGenerator generator, long count, ExpectedLedger expected) {
        PaymentPublisher publisher = publisher(topic);
        publisher.publish(generator, count, 0, expected::add);
        if (publisher.failed() > 0) {
            throw new IllegalStateException(publisher.failed() + " records to " + topic + " were not acknowledged");
        }
        return expected;
    }

    /** Sends one hand-made record; {@link #flush()} waits for it. */
    public void send(String topic, String key, byte[] value) {
        publisher(topic).send(key, value);
    }

    public void flush() {
        publishers.values().forEach(PaymentPublisher::flush);
    }

    private PaymentPublisher publisher(String topic) {
        return publishers.computeIfAbsent(topic, t -> new PaymentPublisher(bootstrapServers, t));
    }

    @Override
    public void close() {
        publishers.values().forEach(PaymentPublisher::close);
    }
}
