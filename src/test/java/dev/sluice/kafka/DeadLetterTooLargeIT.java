package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.OversizedRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A record the broker accepted compressed (a 2 MB gzip value of a few KB on the wire) that the
 * dead-letter producer refuses uncompressed ({@code RecordTooLargeException}, max.request.size 1 MB):
 * a truncated copy is dead-lettered instead, the record is done, and its partition goes on. Before,
 * the publish was retried forever and nothing was committed past it.
 */
@TestPropertySource(properties = "sluice.retry.max-backoff=1s")
class DeadLetterTooLargeIT extends IntegrationTest {

    @Test
    void aDeadLetterTheProducerRefusesForGoodIsSentTruncatedAndTheRecordCompletes() throws Exception {
        String prefix = prefix("huge");
        traffic.createTopics(1, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 10));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 100, new ExpectedLedger());
        byte[] value = OversizedRecords.hugePayment(prefix + "-huge");
        try (KafkaProducer<byte[], byte[]> gzip = OversizedRecords.gzipProducer(bootstrapServers())) {
            gzip.send(new ProducerRecord<>(topicName(), (prefix + "-acc-1").getBytes(StandardCharsets.UTF_8), value)).get();
        }
        expected.expectDeadLetter(RejectReason.MALFORMED);
        traffic.produce(topicName(), generator, 100, expected);

        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));

        assertInvariant(jdbc, prefix, expected);
        List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).as("above sluice.payments.max-value-size").isEqualTo("malformed");
            assertThat(letter.headers()).containsEntry("sluice.source.offset", "100")
                    .containsEntry("sluice.error.truncated", "key=" + (prefix + "-acc-1").length() + ",value=" + value.length);
            assertThat(letter.headers().get("sluice.error.publish")).contains("RecordTooLargeException");
            assertThat(letter.value()).hasSize(16 * 1024).startsWith(Arrays.copyOf(value, 100));
        });
        assertThat(pipeline.metrics().registry().get("sluice.records.dead.lettered.truncated").counter().count()).isEqualTo(1.0);
    }
}
