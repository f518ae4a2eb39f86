package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.testinfra.SimulatedCall;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct path: the poll thread decodes and processes a poll's records itself and hands them to
 * the sink shards; no worker thread, per-key order to the write with several shards, rejected
 * records dead-lettered and completed.
 */
class DirectIntakeTest {

    private static final int SHARDS = 4;
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final Completions completions = new Completions(100_000);
    private final Queue<RecordRef> deadLettered = new ConcurrentLinkedQueue<>();
    private final Backoff backoff = new Backoff(new RetryProperties(Duration.ofMillis(1), Duration.ofMillis(10), 2.0, 0.2));
    private final FlowMetrics metrics = new FlowMetrics(new SimpleMeterRegistry());
    private final DeadLetters deadLetters = new DeadLetters() {
        @Override
        public void publish(InboundRecord record, Rejection rejection, Runnable onAcknowledged) {
            deadLettered.add(record.ref());
            onAcknowledged.run();
        }

        @Override
        public void cancelAll() {
        }
    };
    private SinkStage<String> stage;

    @AfterEach
    void stop() throws InterruptedException {
        if (stage != null) {
            stage.cancel();
            assertThat(stage.join(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(failures).isEmpty();
    }

    /** Decodes on the calling thread, rejecting values "bad"; remembers which threads decoded. */
    private static final class Decoder implements RecordDecoder<String> {
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        @Override
        public Decoded<String> decode(byte[] key, byte[] value) {
            threads.add(Thread.currentThread());
            String text = new String(value, StandardCharsets.UTF_8);
            return text.startsWith("bad") ? Decoded.rejected(RejectReason.INVALID, "bad") : Decoded.accepted(text);
        }
    }

    /** Records per key in the order written; every other batch held up a little, on several shards at once. */
    private static final class UnevenSink implements BatchSink<String> {
        final Map<String, Queue<Long>> written = new ConcurrentHashMap<>();
        final Set<String> writers = ConcurrentHashMap.newKeySet();

        @Override
        public List<SinkOutcome> write(List<SinkItem<String>> batch) throws InterruptedException {
            writers.add(Thread.currentThread().getName());
            long first = batch.getFirst().record().ref().offset();
            if (first % 2 == 0) {
                SimulatedCall.take(Duration.ofMillis(1 + first % 3));
            }
            for (SinkItem<String> item : batch) {
                written.computeIfAbsent(new String(item.record().key(), StandardCharsets.UTF_8), k -> new ConcurrentLinkedQueue<>())
                        .add(item.record().ref().offset());
            }
            return Collections.nCopies(batch.size(), SinkOutcome.WRITTEN);
        }

        @Override
        public void cancelAll() {
        }
    }

    private DirectIntake<String> direct(Decoder decoder, ProcessStep<String> step, BatchSink<String> sink, int capacity,
            AtomicBoolean aborting) {
        stage = new SinkStage<>(new BatchProperties(7, Duration.ofMillis(1), SHARDS), capacity, sink, deadLetters, completions,
                backoff, metrics, (where, error) -> failures.add(error));
        stage.start();
        return new DirectIntake<>(new RecordWorker<>(decoder, step, stage, deadLetters, completions, backoff, metrics), stage,
                aborting::get);
    }

    private static InboundRecord record(String key, int partition, long offset, String value) {
        return new InboundRecord(new RecordRef(new PartitionId("t", partition), 1, offset, 1),
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Test
    void manyRecordsOfFewKeysAreWrittenInOffsetOrderPerKeyAcrossShardsDecodedOnThePollThread() throws Exception {
        Decoder decoder = new Decoder();
        UnevenSink sink = new UnevenSink();
        DirectIntake<String> direct = direct(decoder, ProcessStep.identity(), sink, 100_000, new AtomicBoolean());
        int polls = 40;
        int perPoll = 250;
        int keys = 6;
        Set<RecordRef> expectedDeadLetters = new HashSet<>();
        long offset = 0;
        for (int poll = 0; poll < polls; poll++) {
            for (int i = 0; i < perPoll; i++, offset++) {
                String value = offset % 97 == 0 ? "bad-" + offset : "v" + offset;
                InboundRecord record = record("k" + (offset % keys), (int) (offset % 3), offset, value);
                if (value.startsWith("bad")) {
                    expectedDeadLetters.add(record.ref());
                }
                direct.submit(record);
            }
            direct.endOfPoll();
        }

        int total = polls * perPoll;
        List<RecordRef> done = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (done.size() < total && System.nanoTime() < deadline) {
            done.addAll(completions.await(100));
        }
        assertThat(done).as("every record completes: written or dead-lettered").hasSize(total);
        assertThat(decoder.threads).as("decoded on the poll thread alone").containsExactly(Thread.currentThread());
        assertThat(Set.copyOf(deadLettered)).isEqualTo(expectedDeadLetters);
        assertThat(sink.written).hasSize(keys);
        sink.written.values().forEach(offsets -> assertThat(List.copyOf(offsets)).as("one key's writes in offset order").isSorted());
        assertThat(sink.writers).as("several shards wrote").hasSizeGreaterThan(1);
        assertThat(metrics.workersStartedTotal()).isZero();
        assertThat(direct.busy()).isZero();
        assertThat(direct.awaitIdle(Duration.ZERO)).isTrue();
    }

    @Test
    void aNonBlockingStepThatFailsTransientlyDeadLettersTheRecordInsteadOfWaitingOnThePollThread() throws Exception {
        ProcessStep<String> flaky = ProcessStep.nonBlocking(value -> {
            if (value.equals("v1")) {
                throw new TransientProcessingException("try later", null);
            }
            return value;
        });
        UnevenSink sink = new UnevenSink();
        DirectIntake<String> direct = direct(new Decoder(), flaky, sink, 100, new AtomicBoolean());
        direct.submit(record("k", 0, 0, "v0"));
        direct.submit(record("k", 0, 1, "v1"));
        direct.submit(record("k", 0, 2, "v2"));
        direct.endOfPoll();

        List<RecordRef> done = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (done.size() < 3 && System.nanoTime() < deadline) {
            done.addAll(completions.await(100));
        }
        assertThat(done).hasSize(3);
        assertThat(deadLettered).extracting(RecordRef::offset).containsExactly(1L);
        assertThat(List.copyOf(sink.written.get("k"))).containsExactly(0L, 2L);
    }

    @Test
    void aHandOffWaitingForRoomGivesUpOnAbort() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        BatchSink<String> stuck = new BatchSink<>() {
            @Override
            public List<SinkOutcome> write(List<SinkItem<String>> batch) throws InterruptedException {
                writing.countDown();
                never.await();
                return List.of();
            }

            @Override
            public void cancelAll() {
            }
        };
        AtomicBoolean aborting = new AtomicBoolean();
        // room for 2 records per shard: one key's 30 records cannot all be queued while its shard is stuck
        DirectIntake<String> direct = direct(new Decoder(), ProcessStep.identity(), stuck, 2, aborting);
        for (int i = 0; i < 30; i++) {
            direct.submit(record("k", 0, i, "v" + i));
        }
        Thread poll = Thread.ofPlatform().name("test-poll").start(direct::endOfPoll);
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(poll.join(Duration.ofMillis(200))).as("waits for room while the sink is behind").isFalse();

        aborting.set(true);
        assertThat(poll.join(Duration.ofSeconds(5))).as("gives up once the run aborts").isTrue();
    }

    @Test
    void identityAndNonBlockingStepsDoNotBlockAndAPlainStepDoes() {
        ProcessStep<String> plain = value -> value;
        assertThat(ProcessStep.<String>identity().blocks()).isFalse();
        assertThat(ProcessStep.<String>nonBlocking(String::trim).blocks()).isFalse();
        assertThat(plain.blocks()).isTrue();
    }
}
