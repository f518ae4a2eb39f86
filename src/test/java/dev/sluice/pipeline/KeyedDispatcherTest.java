package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.sluice.testinfra.SimulatedCall;
import org.junit.jupiter.api.Test;

class KeyedDispatcherTest {

    private static final PartitionId PARTITION = new PartitionId("t", 0);
    private final Queue<Throwable> failuresSeen = new ConcurrentLinkedQueue<>();
    private final Failures.Listener failures = (where, error) -> failuresSeen.add(error);

    @Test
    void handlesOneKeyInSubmissionOrderAndDifferentKeysConcurrently() throws InterruptedException {
        Map<String, Queue<Long>> seen = new ConcurrentHashMap<>();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(20 * 200);
        KeyedDispatcher dispatcher = new KeyedDispatcher(8, record -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            Thread.yield();
            seen.computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8), k -> new ConcurrentLinkedQueue<>())
                    .add(record.ref().offset());
            concurrent.decrementAndGet();
            done.countDown();
        }, failures);
        long offset = 0;
        for (int i = 0; i < 200; i++) {
            for (int key = 0; key < 20; key++) {
                dispatcher.submit(record("k" + key, offset++));
            }
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).hasSize(20);
        seen.values().forEach(offsets -> assertThat(List.copyOf(offsets)).hasSize(200).isSorted());
        assertThat(maxConcurrent.get()).as("bounded by permits").isLessThanOrEqualTo(8).isGreaterThan(1);
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(dispatcher.activeLanes()).isZero();
    }

    @Test
    void cancelInterruptsBlockedWorkersAndDropsQueuedRecords() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(4);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        KeyedDispatcher dispatcher = new KeyedDispatcher(4, record -> {
            handled.incrementAndGet();
            started.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        }, failures);
        for (int i = 0; i < 100; i++) {
            dispatcher.submit(record("k" + (i % 10), i));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        dispatcher.cancel();
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).as("every worker ended").isTrue();
        assertThat(interrupted.get()).isEqualTo(4);
        assertThat(handled.get()).as("queued records dropped, not handled").isEqualTo(4);
        dispatcher.submit(record("late", 1000));
        assertThat(dispatcher.activeLanes()).isZero();
    }

    @Test
    void aBurstOfBlockingKeysRunsOnAsManyWorkersAsThereArePermits() throws InterruptedException {
        CountDownLatch allPermitsBusy = new CountDownLatch(16);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        KeyedDispatcher dispatcher = new KeyedDispatcher(16, record -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            allPermitsBusy.countDown();
            release.await();
            concurrent.decrementAndGet();
        }, failures);
        for (int key = 0; key < 100; key++) {
            dispatcher.submit(record("k" + key, key));
        }
        assertThat(allPermitsBusy.await(10, TimeUnit.SECONDS)).as("16 keys blocked at once").isTrue();
        assertThat(dispatcher.busy()).isEqualTo(16);
        release.countDown();
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(maxConcurrent.get()).isEqualTo(16);
        assertThat(dispatcher.activeLanes()).isZero();
    }

    @Test
    void recordsWithoutKeyKeepTheirPartitionOrder() throws InterruptedException {
        Queue<Long> seen = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(500);
        KeyedDispatcher dispatcher = new KeyedDispatcher(16, record -> {
            seen.add(record.ref().offset());
            done.countDown();
        }, failures);
        for (long offset = 0; offset < 500; offset++) {
            dispatcher.submit(new InboundRecord(new RecordRef(PARTITION, 1, offset, 0), null, new byte[0], 0));
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(List.copyOf(seen)).isSorted();
    }

    private static InboundRecord record(String key, long offset) {
        return new InboundRecord(new RecordRef(PARTITION, 1, offset, 10), key.getBytes(StandardCharsets.UTF_8), new byte[0], 0);
    }

    @Test
    void aKeySubmittedJustAsTheLastWorkerRetiresIsStillHandled() throws InterruptedException {
        CountDownLatch handled = new CountDownLatch(2);
        KeyedDispatcher dispatcher = new KeyedDispatcher(1, record -> handled.countDown(), failures);
        AtomicInteger retirements = new AtomicInteger();
        // the submit lands exactly between the only worker finding no lane and its end: with the lost
        // wakeup, it saw the one permit taken and no idle worker, and started nothing
        dispatcher.afterRetire = () -> {
            if (retirements.incrementAndGet() == 1) {
                dispatcher.submit(record("second", 2));
            }
        };
        dispatcher.submit(record("first", 1));
        assertThat(handled.await(10, TimeUnit.SECONDS)).as("both keys handled").isTrue();
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(failuresSeen).isEmpty();
    }

    @Test
    void anErrorEscapingTheHandlerFailsThePipelineInsteadOfEndingAWorkerSilently() throws InterruptedException {
        CountDownLatch reported = new CountDownLatch(1);
        KeyedDispatcher dispatcher = new KeyedDispatcher(2, record -> {
            throw new OutOfMemoryError("simulated");
        }, (where, error) -> {
            failuresSeen.add(error);
            reported.countDown();
        });
        dispatcher.submit(record("k", 1));
        assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failuresSeen).singleElement().isInstanceOf(OutOfMemoryError.class);
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).as("the failed worker left the running set").isTrue();
    }

    @Test
    void anAdaptiveLimitThatGrowsStartsWorkersForLanesAlreadyWaitingWithoutAnotherSubmit() throws InterruptedException {
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        int records = 3000;
        CountDownLatch done = new CountDownLatch(records);
        KeyedDispatcher dispatcher = new KeyedDispatcher(WorkerLimit.adaptive(2, 64), record -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            SimulatedCall.take(Duration.ofMillis(5)); // a blocking call that does not slow down with load
            concurrent.decrementAndGet();
            done.countDown();
        }, failures);
        // every lane is ready before the first worker ran: growth can only come from the workers themselves
        for (int i = 0; i < records; i++) {
            dispatcher.submit(record("k" + i, i));
        }

        assertThat(done.await(60, TimeUnit.SECONDS)).as("all handled").isTrue();
        assertThat(maxConcurrent.get()).as("more than the 2 workers it started with, never above the bound")
                .isGreaterThan(2).isLessThanOrEqualTo(64);
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(failuresSeen).isEmpty();
    }
}
