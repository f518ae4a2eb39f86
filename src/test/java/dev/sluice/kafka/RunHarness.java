package dev.sluice.kafka;

import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.Completions;
import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.KeyedDispatcher;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RecordWorker;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.SinkStage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.util.unit.DataSize;

/**
 * The parts of one run around a {@link MockConsumer} that behaves like the real one where these
 * tests need it: a pending wakeup fails the next commit, and commits can be refused (coordinator
 * unavailable). The rest is the real pipeline: dispatcher, workers, sink stage, completions.
 */
final class RunHarness {

    static final TopicPartition PARTITION = new TopicPartition("t", 0);

    /** A mock consumer whose commits honour wakeups and can be refused. */
    static final class Consumer extends MockConsumer<byte[], byte[]> {
        final AtomicBoolean refuseCommits = new AtomicBoolean();
        private final AtomicBoolean pendingWakeup = new AtomicBoolean();
        /** The last offset committed for {@link #PARTITION}, readable after close; -1 before any. */
        private volatile long committed = -1;

        Consumer() {
            super("earliest");
            updateBeginningOffsets(Map.of(PARTITION, 0L));
        }

        @Override
        public synchronized void wakeup() {
            pendingWakeup.set(true);
            super.wakeup();
        }

        @Override
        public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            if (pendingWakeup.getAndSet(false)) {
                throw new WakeupException();
            }
            if (refuseCommits.get()) {
                throw new TimeoutException("coordinator unavailable (simulated)");
            }
            super.commitSync(offsets, timeout);
            OffsetAndMetadata offset = offsets.get(PARTITION);
            if (offset != null) {
                committed = offset.offset();
            }
        }

        long committed() {
            return committed;
        }
    }

    final FlowMetrics metrics = new FlowMetrics(new SimpleMeterRegistry());

    /** A sink that reports every record written, at once (the database is not what these tests are about). */
    static BatchSink<byte[]> allWritten() {
        return new BatchSink<>() {
            @Override
            public List<SinkOutcome> write(List<SinkItem<byte[]>> batch) {
                return Collections.nCopies(batch.size(), SinkOutcome.WRITTEN);
            }

            @Override
            public void cancelAll() {
            }
        };
    }
    final Completions completions = new Completions(1000);
    final RunParts parts;

    RunHarness(ShutdownProperties shutdown) {
        SourceProperties source = new SourceProperties("t", "t.DLT", Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofSeconds(1), DataSize.ofKilobytes(16), false);
        Backoff backoff = new Backoff(new RetryProperties(Duration.ofMillis(10), Duration.ofMillis(100), 2.0, 0.2));
        KafkaDeadLetters deadLetters = new KafkaDeadLetters(
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()), "t.DLT", 16 * 1024,
                new DeadLetterHeaders("g"), ObservationRegistry.NOOP, backoff, metrics);
        SinkStage<byte[]> sinkStage = new SinkStage<>(new BatchProperties(10, Duration.ofMillis(5), 2), 1000, allWritten(), deadLetters,
                completions, backoff, metrics, (where, error) -> { });
        KeyedDispatcher dispatcher = new KeyedDispatcher(10, new RecordWorker<>((key, value) -> Decoded.accepted(value),
                ProcessStep.identity(), sinkStage, deadLetters, completions, backoff, metrics), (where, error) -> { });
        parts = new RunParts(source, shutdown, completions, dispatcher, sinkStage, deadLetters, metrics, (where, error) -> { },
                null, backoff, new PartitionOwnership.ReclaimBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10)));
    }
}
