package dev.sluice.pipeline;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.SimulatedCall;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

/**
 * The adaptive worker limit as the README configures it ({@code sluice.flow.workers=adaptive},
 * {@code worker-permits=4000}, the floor at its default of 16) on real Kafka and PostgreSQL: a
 * process step that blocks 20 ms per record (an enrichment call that does not slow down under
 * load) gets far more concurrent calls than the floor it started from, never more than the bound,
 * the limit is shown in {@code GET /actuator/pipeline} and the Prometheus scrape, and the ledger
 * stays exact.
 */
@TestPropertySource(properties = {"sluice.flow.workers=adaptive", "sluice.flow.worker-permits=4000"})
class AdaptiveWorkersIT extends IntegrationTest {

    private static final int RECORDS = 30_000;
    private static final int FLOOR = 16;
    private static final int BOUND = 4000;

    /** Blocks 20 ms per record and counts the calls in progress. */
    static final class BlockingStep implements ProcessStep<Payment> {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger maxCalls = new AtomicInteger();

        @Override
        public Payment apply(Payment payment) throws InterruptedException {
            maxCalls.accumulateAndGet(calls.incrementAndGet(), Math::max);
            try {
                SimulatedCall.take(Duration.ofMillis(20));
            } finally {
                calls.decrementAndGet();
            }
            return payment;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Steps {
        @Bean
        BlockingStep blockingStep() {
            return new BlockingStep();
        }
    }

    @Autowired
    BlockingStep step;

    @Test
    void aBlockingStepGetsWorkersFarAboveTheFloorWithinTheBoundAndTheLedgerStaysExact() throws Exception {
        String prefix = prefix("workers");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 5000)
                .withDuplicates(0.02).withInvalid(0.01)), RECORDS, new ExpectedLedger());
        AtomicInteger maxLimit = new AtomicInteger();
        AtomicInteger maxBusy = new AtomicInteger();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("test-workers-sampler").daemon(true).factory());
        sampler.scheduleAtFixedRate(() -> {
            PipelineStatus.Workers workers = pipeline.status().workers();
            maxLimit.accumulateAndGet(workers.limit(), Math::max);
            maxBusy.accumulateAndGet(workers.busy(), Math::max);
        }, 0, 5, TimeUnit.MILLISECONDS);
        PipelineStatus.Workers before = pipeline.status().workers();

        pipeline.resume();
        await(Duration.ofMinutes(2)).alias("the limit grown well above its floor")
                .until(() -> pipeline.status().workers().limit() > 8 * FLOOR);
        String status = getBody("/actuator/pipeline");
        String scrape = getBody("/actuator/prometheus");
        awaitNoLag(Duration.ofMinutes(3));
        sampler.shutdownNow();

        assertThat(before.mode()).isEqualTo("adaptive");
        assertThat(before.limit()).as("starts at sluice.flow.min-worker-permits' default").isEqualTo(FLOOR);
        assertThat(step.maxCalls.get()).as("concurrent 20 ms calls: well above the floor, never above the bound")
                .isGreaterThan(8 * FLOOR).isLessThanOrEqualTo(BOUND);
        assertThat(maxLimit.get()).isLessThanOrEqualTo(BOUND);
        assertThat(maxBusy.get()).isLessThanOrEqualTo(maxLimit.get());
        assertThat(pipeline.metrics().workersStartedTotal()).as("a blocking step runs on worker threads, not the direct path")
                .isPositive();
        assertThat(status).contains("\"workers\":{\"mode\":\"adaptive\"", "\"min\":16,\"max\":4000");
        assertThat(scrape).contains("sluice_workers_started_total{application=\"sluice\",job=\"ledger\"}",
                "sluice_workers_limit{application=\"sluice\",job=\"ledger\"}",
                "sluice_workers_busy{application=\"sluice\",job=\"ledger\"}",
                "sluice_workers_latency_seconds{application=\"sluice\",job=\"ledger\"}");
        assertInvariant(jdbc, prefix, expected);
    }
}
