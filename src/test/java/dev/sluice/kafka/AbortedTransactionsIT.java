package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentGenerator.Generated;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Payments from a transactional producer: those of aborted transactions are never applied (the
 * consumer reads {@code read_committed} by default), those of committed ones are. Before, the
 * default {@code read_uncommitted} applied both.
 */
class AbortedTransactionsIT extends IntegrationTest {

    @Test
    void paymentsOfAbortedTransactionsAreNeverApplied() {
        String prefix = prefix("txn");
        traffic.createTopics(2, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 10));
        ExpectedLedger expected = new ExpectedLedger();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "-tx"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (int round = 0; round < 6; round++) {
                producer.beginTransaction();
                boolean commit = round % 2 == 0;
                for (int i = 0; i < 50; i++) {
                    Generated generated = generator.next();
                    producer.send(new ProducerRecord<>(topicName(), generated.key().getBytes(StandardCharsets.UTF_8),
                            generated.value()));
                    if (commit) {
                        expected.add(generated);
                    }
                }
                if (commit) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }

        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));
        assertInvariant(jdbc, prefix, expected);
    }
}
