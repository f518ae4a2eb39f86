package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The dead-letter topic cannot be written (it does not exist yet; the broker does not create
 * topics): the invalid records are retried, never committed past, while the valid ones around
 * them, on the same key included, are written without waiting for the failing sends; once the
 * topic exists the dead letters arrive and the group catches up.
 */
@TestPropertySource(properties = "sluice.retry.max-backoff=1s")
class DeadLetterUnavailableIT extends IntegrationTest {

    @Test
    void keepsAnInvalidRecordInFlightUntilItsDeadLetterIsAcknowledged() {
        String prefix = prefix("dltdown");
        traffic.createTopics(1, topicName());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 20));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 200, new ExpectedLedger());
        long firstInvalidOffset = 200;
        for (int i = 0; i < 3; i++) {
            traffic.send(topicName(), prefix + "-acc-1", ("{\"paymentId\":\"" + prefix + "-bad-" + i + "\",\"amountCents\":0}")
                    .getBytes(StandardCharsets.UTF_8));
            expected.expectDeadLetter(RejectReason.INVALID);
            traffic.produce(topicName(), generator, 100, expected);
        }

        pipeline.resume();
        // A send to a missing topic blocks for max.block.ms (10 s here, as in production) before it fails:
        // the poison records' key lane must not wait for that, so the valid records of that key follow at once.
        await(Duration.ofSeconds(8)).until(() -> pipeline.status().totals().written() == expected.distinctValid());
        Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> ConsumerLag.committed(bootstrapServers(), group()).getOrDefault(0, 0L) <= firstInvalidOffset);
        assertThat(ConsumerLag.committed(bootstrapServers(), group())).as("the valid prefix is committed")
                .containsEntry(0, firstInvalidOffset);
        // each of the three sends fails once max.block.ms has passed, and is retried
        await(Duration.ofSeconds(20)).until(() -> {
            Counter retries = pipeline.metrics().registry().find("sluice.retries").tag("stage", "dead-letter").counter();
            return retries != null && retries.count() >= 3;
        });
        assertThat(ConsumerLag.committed(bootstrapServers(), group())).as("still not committed past the invalid record")
                .containsEntry(0, firstInvalidOffset);
        assertThat(pipeline.status().totals().deadLettered()).isZero();
        assertThat(pipeline.status().inFlight()).as("the invalid records and those after them wait").isPositive();

        traffic.createTopics(1, deadLetterTopic());
        awaitNoLag(Duration.ofSeconds(30));

        assertInvariant(jdbc, prefix, expected);
        List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
        assertThat(letters).extracting(DeadLetter::reason).containsExactly("invalid", "invalid", "invalid");
        assertThat(letters).extracting(l -> l.headers().get("sluice.source.offset")).containsExactlyInAnyOrder("200", "301", "402");
    }
}
