package dev.sluice.kafka;

import static dev.sluice.kafka.RunHarness.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PrefetchGate;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.ShutdownProperties.FailurePolicy;
import dev.sluice.pipeline.ShutdownProperties.StopMode;
import dev.sluice.pipeline.StopReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The poll thread's stop and rebalance paths against a consumer that fails commits the way the real one does. */
class PollThreadStopTest {

    private final RunHarness harness = new RunHarness(
            new ShutdownProperties(StopMode.DRAIN, Duration.ofSeconds(30), Duration.ofMillis(200), FailurePolicy.STAY_UP));
    private final RunHarness.Consumer consumer = new RunHarness.Consumer();
    private final PrefetchGate gate = new PrefetchGate(1000, 1 << 20, 100, 1 << 18, 0.5);

    @Test
    void aDrainWhoseFinalCommitKeepsFailingTurnsIntoAnAbortAtItsDeadline() throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.moveTo(PipelineState.RUNNING);
        AtomicReference<StopRequest> request = new AtomicReference<>(StopRequest.NONE);
        AtomicReference<StopReport> report = new AtomicReference<>();
        consumer.refuseCommits.set(true);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION));
            for (int offset = 0; offset < 5; offset++) {
                consumer.addRecord(record(offset));
            }
        });
        PollLoop loop = new PollLoop(consumer, harness.parts, gate, lifecycle, request::get, report::set);
        loop.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.metrics.writtenTotal() == 5 && loop.inFlight() == 5);

        request.set(new StopRequest(System.nanoTime() + Duration.ofMillis(300).toNanos(), "test drain"));
        assertThat(lifecycle.moveTo(PipelineState.RUNNING, PipelineState.DRAINING)).isTrue();
        loop.wake();

        assertThat(lifecycle.await(PipelineState.STOPPED, Duration.ofSeconds(10)))
                .as("everything is durable, only the commit is refused: the deadline still ends the drain").isTrue();
        assertThat(report.get().mode()).isEqualTo("drain->abort");
        assertThat(report.get().reason()).isEqualTo("test drain");
        assertThat(consumer.committed()).as("nothing could be committed").isEqualTo(-1);
        assertThat(loop.join(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void wakeupsDuringARevocationCannotVoidItsCommit() throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.moveTo(PipelineState.RUNNING);
        consumer.assign(List.of(PARTITION));
        PartitionBook book = new PartitionBook(gate, new PartitionOwnership(failures -> 1_000_000L,
                new PartitionOwnership.ReclaimBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10))));
        book.assign(PARTITION);
        RecordRef ref = book.track(book.idOf(PARTITION), record(0), System.nanoTime());
        WakeGuard guard = new WakeGuard(consumer);
        harness.completions.setWaker(guard::wake);
        Rebalancing rebalancing = new Rebalancing(consumer, book, gate, harness.completions, lifecycle,
                Duration.ofSeconds(2).toNanos(), new OffsetCommitter(consumer, book, harness.metrics, Duration.ofMillis(10), null),
                guard, new Claims(consumer, book, null, harness.metrics), () -> false);

        guard.enterPoll(); // the callbacks run inside poll()
        consumer.wakeup(); // one pending from before the callback began
        // completions of other partitions keep arriving (and waking) while the revocation waits
        Thread completionsElsewhere = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 50_000; i++) {
                guard.wake();
            }
        });
        harness.completions.complete(ref);
        rebalancing.onPartitionsRevoked(List.of(PARTITION));
        completionsElsewhere.join();

        assertThat(consumer.committed()).as("the revoked partition's durable prefix is committed").isEqualTo(1);
    }

    @Test
    void aDrainFinishesOnlyWithNothingIncompleteAndTheCommitTakenAndAbortsAtTheDeadline() {
        assertThat(StopSequence.drainVerdict(0, true, false)).isEqualTo(StopSequence.DrainVerdict.FINISHED);
        assertThat(StopSequence.drainVerdict(0, true, true)).isEqualTo(StopSequence.DrainVerdict.FINISHED);
        assertThat(StopSequence.drainVerdict(0, false, false)).isEqualTo(StopSequence.DrainVerdict.WAITING);
        assertThat(StopSequence.drainVerdict(0, false, true)).isEqualTo(StopSequence.DrainVerdict.DEADLINE_PASSED);
        assertThat(StopSequence.drainVerdict(3, false, false)).isEqualTo(StopSequence.DrainVerdict.WAITING);
        assertThat(StopSequence.drainVerdict(3, false, true)).isEqualTo(StopSequence.DrainVerdict.DEADLINE_PASSED);
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset) {
        return new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), offset,
                ("k" + offset).getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }
}
