package dev.sluice.payments;

import dev.sluice.testinfra.InFlightSampler;
import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

/** The foundation's promise end to end: every payment once in effect, every bad record dead-lettered, bounded, ordered. */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=1000", "sluice.batch.max-size=200"})
class LedgerFlowIT extends IntegrationTest {

    /** Records the paymentIds of hot accounts in the order the process step sees them. */
    static final class OrderRecordingStep implements ProcessStep<Payment> {
        final Queue<String> hotSeen = new ConcurrentLinkedQueue<>();

        @Override
        public Payment apply(Payment payment) {
            if (payment.account().contains("-hot-")) {
                hotSeen.add(payment.paymentId());
            }
            return payment;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Steps {
        @Bean
        OrderRecordingStep orderRecordingStep() {
            return new OrderRecordingStep();
        }
    }

    @Autowired
    OrderRecordingStep step;

    @Test
    void appliesEveryPaymentOnceInEffectDeadLettersEveryBadRecordAndStaysWithinTheBound() {
        String prefix = prefix("flow");
        traffic.createTopics(8, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 500)
                .withDuplicates(0.06).withInvalid(0.015).withHotKeys(0.05, 1));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 50_000, new ExpectedLedger());

        InFlightSampler sampler = new InFlightSampler(pipeline, 500);
        pipeline.resume();
        awaitNoLag(Duration.ofMinutes(3));
        sampler.close();

        assertInvariant(jdbc, prefix, expected);
        assertThat(sampler.max()).as("in flight never above the bound").isBetween(1, 1000);
        assertThat(pipeline.status().totals().duplicates()).as("replays recognised as duplicates").isPositive();

        List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
        Map<RejectReason, Long> byReason = letters.stream().collect(Collectors.groupingBy(
                l -> RejectReason.valueOf(l.reason().toUpperCase()), Collectors.counting()));
        assertThat(byReason).isEqualTo(expected.deadLetters());
        assertThat(letters).allSatisfy(letter -> {
            assertThat(new String(letter.key(), StandardCharsets.UTF_8)).startsWith(prefix);
            assertThat(letter.headers()).containsKeys("sluice.error.detail", "sluice.source.partition", "sluice.source.offset")
                    .containsEntry("sluice.source.topic", topicName());
        });

        List<Long> hotOrder = step.hotSeen.stream().map(id -> Long.parseLong(id.substring(id.lastIndexOf('-') + 1))).toList();
        assertThat(hotOrder).as("one key reaches the process step in offset order").hasSizeGreaterThan(1000).isSorted();
    }

}
