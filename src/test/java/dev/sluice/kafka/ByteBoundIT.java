package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentGenerator.Generated;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code sluice.flow.max-in-flight-bytes} holds even when one poll returns far more than
 * {@code fetch.max.bytes}: a producer batch larger than the limit (always returned whole) of ~1 KB
 * records, with nothing becoming durable while the process step is held. Before, one such poll
 * put a whole 512 KB batch in flight against a 64 KB bound.
 */
@Import(ByteBoundIT.Held.class)
@TestPropertySource(properties = {"sluice.flow.max-in-flight-bytes=64KB", "sluice.flow.max-in-flight=10000"})
class ByteBoundIT extends IntegrationTest {

    static final int RECORDS = 2000;
    static final long BOUND = 64 * 1024;

    @TestConfiguration(proxyBeanMethods = false)
    static class Held {
        @Bean
        HeldStep heldStep() {
            return new HeldStep();
        }
    }

    /** Holds every payment until released. */
    static final class HeldStep implements ProcessStep<Payment> {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Payment apply(Payment payment) throws InterruptedException {
            release.await();
            return payment;
        }
    }

    @Autowired
    HeldStep step;

    @Test
    void theBytesInFlightNeverExceedTheBoundWhateverOnePollReturns() {
        String prefix = prefix("bytes");
        traffic.createTopics(2, topicName(), deadLetterTopic());
        ExpectedLedger expected = new ExpectedLedger();
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 50));
        String padding = "p".repeat(900);
        try (KafkaProducer<byte[], byte[]> bigBatches = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.LINGER_MS_CONFIG, 1000),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                Generated generated = generator.next();
                String json = new String(generated.value(), StandardCharsets.UTF_8);
                byte[] padded = (json.substring(0, json.length() - 1) + ",\"note\":\"" + padding + "\"}").getBytes(StandardCharsets.UTF_8);
                bigBatches.send(new ProducerRecord<>(topicName(), generated.key().getBytes(StandardCharsets.UTF_8), padded));
                expected.add(generated);
            }
            bigBatches.flush();
        }

        pipeline.resume();
        await(Duration.ofSeconds(30)).until(() -> pipeline.status().paused());
        // nothing completes while the step holds: what is in flight now is the peak
        PipelineStatus held = pipeline.status();
        assertThat(held.inFlightBytes()).as("bytes in flight at the pause").isPositive().isLessThanOrEqualTo(BOUND);
        assertThat(held.inFlight()).as("records in flight: about 64 KB of ~1 KB records").isLessThan(80);

        step.release.countDown();
        awaitNoLag(Duration.ofSeconds(120));
        assertInvariant(jdbc, prefix, expected);
    }
}
