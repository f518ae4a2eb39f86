package dev.sluice.bench;

import dev.sluice.testinfra.Traffic;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentGenerator.Generated;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.LedgerAssertions;
import dev.sluice.testinfra.Traffic;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A topic of generated payments (one produce, read by every contender in its own consumer group)
 * and the ledger they must leave.
 *
 * @param expected null when the dataset is too large to be checked (the memory backlog)
 */
record Dataset(String topic, PaymentGenerator.Spec spec, long records, ExpectedLedger expected) {

    static final int PARTITIONS = 8;

    static Dataset produce(String bootstrapServers, String topic, PaymentGenerator.Spec spec, long count, boolean track) {
        try (Traffic traffic = new Traffic(bootstrapServers)) {
            traffic.createTopics(PARTITIONS, topic, topic + ".DLT");
        }
        Traffic.awaitLeaders(bootstrapServers, topic);
        return append(bootstrapServers, new Dataset(topic, spec, 0, track ? new ExpectedLedger() : null), count);
    }

    /** Produces {@code count} more records of the same spec, continuing its sequence (fresh paymentIds). */
    static Dataset append(String bootstrapServers, Dataset dataset, long count) {
        PaymentGenerator generator = new PaymentGenerator(dataset.spec());
        for (long i = 0; i < dataset.records(); i++) {
            generator.next();
        }
        try (Producer<byte[], byte[]> producer = producer(bootstrapServers)) {
            for (long i = 0; i < count; i++) {
                Generated generated = generator.next();
                if (dataset.expected() != null) {
                    dataset.expected().add(generated);
                }
                producer.send(new ProducerRecord<>(dataset.topic(), generated.key().getBytes(StandardCharsets.UTF_8), generated.value()));
            }
            producer.flush();
        }
        return new Dataset(dataset.topic(), dataset.spec(), dataset.records() + count, dataset.expected());
    }

    /**
     * A fresh producer per produce, after the topic has leaders. Not idempotent: a retried send may
     * store a record twice, which the ledger takes as a duplicate (no effect), as it must.
     */
    private static Producer<byte[], byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "134217728");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }

    /** The same payments, in memory (for the sink-only ceiling). */
    List<Payment> payments() {
        PaymentGenerator generator = new PaymentGenerator(spec);
        List<Payment> payments = new ArrayList<>((int) records);
        for (long i = 0; i < records; i++) {
            payments.add(generator.next().payment());
        }
        return payments;
    }

    /** True when the database holds exactly the invariant's balances and payments (DESIGN.md). */
    boolean invariantHolds(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        return LedgerAssertions.balances(jdbc, spec.idPrefix()).equals(expected.balances())
                && LedgerAssertions.storedPayments(jdbc, spec.idPrefix()) == expected.distinctValid();
    }
}
