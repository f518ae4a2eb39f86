package dev.sluice.pipeline;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A backlog on real Kafka and PostgreSQL with the adaptive window: the source is held at the
 * window the whole time, and instead of sitting at the bound (as a fixed window does) the window
 * searches for the knee — it comes down while the commit rate holds — and says so in its reason;
 * in flight never passes the bound, and every record lands exactly once.
 */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=8000", "sluice.flow.min-in-flight=200",
    "sluice.flow.window-interval=200ms", "sluice.flow.knee-hold=2s", "sluice.batch.max-size=200",
    "spring.kafka.consumer.max-poll-records=200"})
class BacklogKneeIT extends IntegrationTest {

    private static final int MAX_IN_FLIGHT = 8000;
    private static final int BACKLOG = 120_000;

    @Test
    void underABacklogTheWindowComesDownFromTheBoundWhileEveryRecordLandsOnce() throws Exception {
        String prefix = prefix("knee");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 5000).withDuplicates(0.02));
        ExpectedLedger expected = traffic.produce(topicName(), generator, BACKLOG, new ExpectedLedger());

        Set<String> reasons = ConcurrentHashMap.newKeySet();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger smallestHeldWindow = new AtomicInteger(Integer.MAX_VALUE);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("test-knee-sampler").daemon(true).factory());
        sampler.scheduleAtFixedRate(() -> {
            PipelineStatus status = pipeline.status();
            maxInFlight.accumulateAndGet(status.inFlight(), Math::max);
            String reason = status.window().reason();
            reasons.add(reason);
            if (reason.equals("seeking") || reason.equals("at_knee")) {
                smallestHeldWindow.accumulateAndGet(status.window().records(), Math::min);
            }
        }, 0, 5, TimeUnit.MILLISECONDS);
        try {
            pipeline.resume();
            awaitNoLag(Duration.ofMinutes(3));
        } finally {
            sampler.shutdownNow();
        }

        assertInvariant(jdbc, prefix, expected);
        assertThat(reasons).as("a first run starts at the bound; under the backlog it searches for the knee").contains("seeking");
        assertThat(smallestHeldWindow.get()).as("the window came down from the bound while the source was held")
                .isLessThanOrEqualTo((int) (MAX_IN_FLIGHT * 0.8));
        assertThat(maxInFlight.get()).as("in flight never above sluice.flow.max-in-flight").isBetween(1, MAX_IN_FLIGHT);
    }
}
