package dev.sluice.kafka;

import dev.sluice.testinfra.SimulatedCall;
import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.StopReport;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

/** Drain and abort under load: what each finishes, what each commits, and that resume completes the work. */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=2000", "sluice.flow.worker-permits=500",
    "sluice.batch.max-size=100", "sluice.shutdown.abort-timeout=500ms", "sluice.shutdown.drain-deadline=3s"})
class DrainAbortIT extends IntegrationTest {

    /**
     * A process step that takes 50 ms per record (an enrichment call), or, while {@code blocking}
     * is set, blocks payments of accounts ending in an even digit until interrupted.
     */
    static final class SlowStep implements ProcessStep<Payment> {
        volatile boolean blocking;
        /** While set, at most this many records are in the step at once (a rate-limited dependency). */
        volatile Semaphore throttle;
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public Payment apply(Payment payment) throws InterruptedException {
            if (blocking && (payment.account().charAt(payment.account().length() - 1) - '0') % 2 == 0) {
                never.await();
            }
            Semaphore limit = throttle;
            if (limit != null) {
                limit.acquire();
            }
            try {
                SimulatedCall.take(Duration.ofMillis(50));
            } finally {
                if (limit != null) {
                    limit.release();
                }
            }
            return payment;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Steps {
        @Bean
        SlowStep slowStep() {
            return new SlowStep();
        }
    }

    @Autowired
    SlowStep step;

    @Test
    void drainUnderLoadFinishesAndCommitsEverythingFetchedThenResumeCompletesTheRest() throws InterruptedException {
        step.blocking = false;
        String prefix = prefix("drain");
        ExpectedLedger expected = start(prefix, 20_000, 1000);
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().inFlight() >= 300);

        assertThat(pipeline.drain(Duration.ofSeconds(30))).isEqualTo(PipelineState.DRAINING);
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(30))).isTrue();

        PipelineStatus stopped = pipeline.status();
        StopReport report = stopped.lastStop();
        assertThat(report.mode()).isEqualTo("drain");
        assertThat(report.finished()).as("records finished while draining").isPositive();
        assertThat(report.abandoned()).isZero();
        assertThat(stopped.inFlight()).isZero();
        Map<Integer, Long> committed = ConsumerLag.committed(bootstrapServers(), group());
        stopped.partitions().forEach((partition, offsets) -> {
            if (offsets.lastPolled() >= 0) {
                int number = Integer.parseInt(partition.substring(partition.lastIndexOf('-') + 1));
                assertThat(committed.get(number)).as("committed = last fetched + 1 on %s", partition)
                        .isEqualTo(offsets.lastPolled() + 1);
            }
        });
        assertThat(ConsumerLag.of(bootstrapServers(), group(), topicName())).as("the drain stopped mid-topic").isPositive();

        resumeAndAssertExact(prefix, expected);
    }

    @Test
    void aLongDrainCommitsTheDurablePrefixAsItGoesNotOnlyAtItsEnd() throws InterruptedException {
        step.blocking = false;
        String prefix;
        ExpectedLedger expected;
        try (Throttle _ = throttle(4)) {
            prefix = prefix("long-drain");
            expected = start(prefix, 3_000, 1000);
            await(Duration.ofSeconds(60)).until(() -> pipeline.status().inFlight() >= 1_000);

            assertThat(pipeline.drain(Duration.ofSeconds(60))).isEqualTo(PipelineState.DRAINING);
            long atStart = committedTotal();
            // ~80 records/s through the step: the drain takes many commit intervals; a pod killed
            // now must not redeliver everything the drain already made durable
            await(Duration.ofSeconds(30)).until(() -> committedTotal() >= atStart + 100);
            assertThat(pipeline.status().inFlight()).as("committed while the drain still had most of its records to do")
                    .isGreaterThan(300);
        }
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.status().lastStop().mode()).isEqualTo("drain");
        resumeAndAssertExact(prefix, expected);
    }

    @Test
    void sigtermDuringALongerOperatorDrainStopsWithinTheShutdownDeadline() throws Exception {
        step.blocking = false;
        String prefix;
        ExpectedLedger expected;
        try (Throttle _ = throttle(1)) {
            prefix = prefix("sigterm-in-drain");
            expected = start(prefix, 3_000, 1000);
            await(Duration.ofSeconds(60)).until(() -> pipeline.status().inFlight() >= 1_000);
            assertThat(pipeline.drain(Duration.ofMinutes(5))).as("the operator's long drain").isEqualTo(PipelineState.DRAINING);

            // what Spring's lifecycle processor calls on SIGTERM; its callback lets the context go on
            // to close the producer and the DataSource, so the pipeline must have stopped by then
            CompletableFuture<PipelineState> atCallback = new CompletableFuture<>();
            long started = System.nanoTime();
            Thread.startVirtualThread(() -> pipeline.stop(() -> atCallback.complete(pipeline.status().state())));

            assertThat(atCallback.get(30, TimeUnit.SECONDS)).as("state when shutdown goes on").isEqualTo(PipelineState.STOPPED);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the shutdown's 3 s deadline, not the operator's 5 min")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(pipeline.status().lastStop().mode()).isEqualTo("drain->abort");
        }
        resumeAndAssertExact(prefix, expected);
    }

    /** The step limited to {@code permits} records at once until closed; closing lets every waiting record through. */
    private Throttle throttle(int permits) {
        Throttle throttle = new Throttle(new Semaphore(permits));
        step.throttle = throttle.permits();
        return throttle;
    }

    private final class Throttle implements AutoCloseable {
        private final Semaphore permits;

        Throttle(Semaphore permits) {
            this.permits = permits;
        }

        Semaphore permits() {
            return permits;
        }

        @Override
        public void close() {
            step.throttle = null;
            permits.release(10_000);
        }
    }

    /** The group's committed offsets summed over the partitions. */
    private long committedTotal() {
        return ConsumerLag.committed(bootstrapServers(), group()).values().stream().mapToLong(Long::longValue).sum();
    }

    private void resumeAndAssertExact(String prefix, ExpectedLedger expected) {
        assertThat(pipeline.resume()).isEqualTo(PipelineState.RUNNING);
        awaitNoLag(Duration.ofMinutes(2));
        assertInvariant(jdbc, prefix, expected);
    }

    @Test
    void resumingTheMomentAStopEndsLeavesTheNewRunInCharge() throws InterruptedException {
        step.blocking = false;
        String prefix = prefix("cycles");
        ExpectedLedger expected = start(prefix, 3_000, 300);
        for (int cycle = 0; cycle < 15; cycle++) {
            if (cycle % 2 == 0) {
                pipeline.drain(Duration.ofSeconds(30));
            } else {
                pipeline.abort();
            }
            assertThat(pipeline.awaitStopped(Duration.ofSeconds(30))).isTrue();
            assertThat(pipeline.resume()).as("resume right after stop %d", cycle).isEqualTo(PipelineState.RUNNING);
        }
        awaitNoLag(Duration.ofMinutes(2));
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
        assertInvariant(jdbc, prefix, expected);
    }

    @Test
    void abortUnderLoadStopsWithinOneSecondAndCommitsOnlyDurableRecords() throws InterruptedException {
        ExpectedLedger expected = startWithBlockedKeys("abort");

        long started = System.nanoTime();
        pipeline.abort();
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(1))).as("STOPPED within 1 s").isTrue();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1000);

        assertStoppedDurablyAndCompletesAfterResume("abort", expected);
    }

    @Test
    void drainPastItsDeadlineTurnsIntoAnAbortWithTheSameGuarantees() throws InterruptedException {
        ExpectedLedger expected = startWithBlockedKeys("deadline");

        pipeline.drain(Duration.ofMillis(500));
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(3))).isTrue();

        assertStoppedDurablyAndCompletesAfterResume("drain->abort", expected);
    }

    /** Starts traffic where half the keys block in the process step until interrupted, and waits for load. */
    private ExpectedLedger startWithBlockedKeys(String name) {
        step.blocking = true;
        testPrefix = prefix(name);
        ExpectedLedger expected = start(testPrefix, 10_000, 100);
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().totals().written() >= 500 && pipeline.status().inFlight() >= 500);
        return expected;
    }

    private void assertStoppedDurablyAndCompletesAfterResume(String mode, ExpectedLedger expected) {
        StopReport report = pipeline.status().lastStop();
        assertThat(report.mode()).isEqualTo(mode);
        assertThat(report.abandoned()).as("blocked records abandoned").isPositive();
        assertCommittedOffsetsAreDurable();

        step.blocking = false;
        pipeline.resume();
        awaitNoLag(Duration.ofMinutes(2));
        assertInvariant(jdbc, testPrefix, expected);
    }

    /** End offsets per partition before this test produced: its records start there. */
    private Map<Integer, Long> startOffsets;

    private ExpectedLedger start(String prefix, int count, int accounts) {
        traffic.createTopics(4, topicName(), deadLetterTopic());
        startOffsets = ConsumerLag.endOffsets(bootstrapServers(), topicName());
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, accounts)),
                count, new ExpectedLedger());
        pipeline.resume();
        return expected;
    }

    /** Account prefix of the running test that blocks keys. */
    private String testPrefix;

    /**
     * Every offset of this test's records below a partition's committed offset has its row (the
     * traffic here has no replays or invalid records, so offsets and rows correspond one to one).
     */
    private void assertCommittedOffsetsAreDurable() {
        ConsumerLag.committed(bootstrapServers(), group()).forEach((partition, offset) -> {
            long from = startOffsets.getOrDefault(partition, 0L);
            Long durable = jdbc.queryForObject("SELECT count(DISTINCT source_offset) FROM sluice.payments "
                    + "WHERE account LIKE ? AND source_partition = ? AND source_offset >= ? AND source_offset < ?",
                    Long.class, testPrefix + "%", partition, from, offset);
            assertThat(durable).as("rows in [%d, %d) of partition %d", from, offset, partition)
                    .isEqualTo(Math.max(0, offset - from));
        });
    }
}
