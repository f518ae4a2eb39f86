package dev.sluice.pipeline;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.SimulatedCall;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

/**
 * The adaptive window on real Kafka and PostgreSQL: under steady paced traffic it follows Little's
 * law, grows when the process step slows down (W up, λ the same), comes back when the step is fast
 * again, never leaves [min-in-flight, max-in-flight] (nor does in flight pass the bound), and the
 * ledger stays exact throughout.
 */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=20000", "sluice.flow.min-in-flight=50",
    "sluice.flow.worker-permits=2000", "sluice.flow.window-interval=250ms", "sluice.batch.max-size=200",
    "spring.kafka.consumer.max-poll-records=50",
    "logging.level.dev.sluice.pipeline.PrefetchGate=DEBUG"})
class AdaptiveWindowIT extends IntegrationTest {

    private static final int RATE = 400;
    private static final Duration SLOW = Duration.ofSeconds(3);
    private static final int MAX_IN_FLIGHT = 20_000;
    private static final int MIN_IN_FLIGHT = 50;

    /** Takes {@link #SLOW} per record while {@code slow} is set (an enrichment call that got slow). */
    static final class SwitchableStep implements ProcessStep<Payment> {
        volatile boolean slow;

        @Override
        public Payment apply(Payment payment) throws InterruptedException {
            if (slow) {
                SimulatedCall.take(SLOW);
            }
            return payment;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Steps {
        @Bean
        SwitchableStep switchableStep() {
            return new SwitchableStep();
        }
    }

    @Autowired
    SwitchableStep step;

    @Test
    void theWindowGrowsWithASlowStageShrinksBackAndStaysWithinTheBoundsWhileTheLedgerStaysExact() throws Exception {
        String prefix = prefix("window");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 2000)
                .withDuplicates(0.05).withInvalid(0.01));
        ExpectedLedger expected = new ExpectedLedger();
        AtomicBoolean producing = new AtomicBoolean(true);
        ExecutorService producer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("test-producer").factory());
        // paced traffic in half-second chunks until the test has seen all three phases
        Future<?> production = producer.submit(() -> {
            while (producing.get()) {
                traffic.produce(topicName(), generator, RATE / 2, RATE, expected);
            }
        });

        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger maxWindow = new AtomicInteger();
        AtomicInteger minWindow = new AtomicInteger(Integer.MAX_VALUE);
        AtomicLong maxBytes = new AtomicLong();
        ConcurrentLinkedQueue<String> reasons = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("test-window-sampler").daemon(true).factory());
        sampler.scheduleAtFixedRate(() -> {
            PipelineStatus status = pipeline.status();
            maxInFlight.accumulateAndGet(status.inFlight(), Math::max);
            maxWindow.accumulateAndGet(status.window().records(), Math::max);
            minWindow.accumulateAndGet(status.window().records(), Math::min);
            maxBytes.accumulateAndGet(status.inFlightBytes(), Math::max);
            if (!reasons.contains(status.window().reason())) {
                reasons.add(status.window().reason());
            }
        }, 0, 5, TimeUnit.MILLISECONDS);

        try {
            pipeline.resume();
            // fast step: from the bound (where a first run starts) the window comes down to about 2 × λ·W
            await(Duration.ofSeconds(90)).alias("the window settled at the paced rate")
                    .until(() -> settled(window()) && window().arrivalRate() > RATE / 2.0);
            PipelineStatus.Window fast = window();
            assertThat(fast.records()).as("well below the bound it started at").isLessThan(MAX_IN_FLIGHT / 2);

            // slow step: W rises by 3 s at the same λ, so L rises by λ × 3 s and the window by twice that
            step.slow = true;
            int grownTo = fast.records() + RATE * (int) SLOW.toSeconds();
            await(Duration.ofSeconds(60)).alias("the window grown with the slow step").until(() -> window().records() >= grownTo);
            await(Duration.ofSeconds(60)).alias("W measured with the slow step")
                    .until(() -> window().timeInSystemMillis() > SLOW.toMillis());
            PipelineStatus.Window slow = window();

            // fast again: after the hysteresis the window comes back down
            step.slow = false;
            await(Duration.ofSeconds(60)).alias("the window back down with the fast step")
                    .until(() -> window().records() <= Math.max(fast.records(), slow.records() / 2));
            assertThat(reasons).contains("demand_fell").containsAnyOf("demand_grew", "probing");

            String scrape = getBody("/actuator/prometheus");
            // every series carries the application tag (issue 15)
            assertThat(scrape).contains("sluice_window_records{application=\"sluice\",job=\"ledger\"}",
                    "sluice_window_arrival_rate{application=\"sluice\",job=\"ledger\"}",
                    "sluice_window_time_in_system_seconds{application=\"sluice\",job=\"ledger\"}",
                    "sluice_window_needed{application=\"sluice\",job=\"ledger\"}",
                    "sluice_window_reason{application=\"sluice\",job=\"ledger\",reason=\"steady\"}",
                    "sluice_commit_latency_seconds_bucket{application=\"sluice\",job=\"ledger\"");
            assertThat(getBody("/actuator/pipeline")).contains("\"window\":{\"mode\":\"adaptive\"", "\"sizing\"");
        } finally {
            producing.set(false);
            production.get(60, TimeUnit.SECONDS);
            producer.shutdown();
        }
        awaitNoLag(Duration.ofMinutes(2));
        sampler.shutdownNow();

        assertInvariant(jdbc, prefix, expected);
        assertThat(maxInFlight.get()).as("in flight never above sluice.flow.max-in-flight").isBetween(1, MAX_IN_FLIGHT);
        assertThat(minWindow.get()).as("window never below sluice.flow.min-in-flight").isGreaterThanOrEqualTo(50);
        assertThat(maxWindow.get()).as("window never above sluice.flow.max-in-flight").isLessThanOrEqualTo(MAX_IN_FLIGHT);
        assertThat(maxBytes.get()).isLessThanOrEqualTo(pipeline.status().maxInFlightBytes());
    }

    /** L × headroom (2) inside the hysteresis band (0.25) below the window: no shrink pending. */
    /**
     * Steady at L × headroom within the hysteresis band, or at the floor: on a quiet machine W is
     * ~40 ms, L × 2 ≈ 35 at 400/s, and the window rests at sluice.flow.min-in-flight (50), below the band.
     */
    private static boolean settled(PipelineStatus.Window window) {
        return window.reason().equals("steady")
                && (window.needed() * 2 >= window.records() * 0.75 || window.records() <= MIN_IN_FLIGHT);
    }

    private PipelineStatus.Window window() {
        return pipeline.status().window();
    }
}
