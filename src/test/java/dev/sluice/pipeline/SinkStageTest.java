package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shard threads' own failures: never a thread that ends without telling anyone. */
class SinkStageTest {

    @Test
    void aFailureInTheBookkeepingAfterAWriteFailsThePipelineInsteadOfEndingTheShardSilently() throws Exception {
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        // a sink (a bug of ours) that answers fewer outcomes than items: the bookkeeping throws
        BatchSink<String> shortAnswers = new BatchSink<>() {
            @Override
            public List<SinkOutcome> write(List<SinkItem<String>> batch) {
                return List.of();
            }

            @Override
            public void cancelAll() {
            }
        };
        DeadLetters deadLetters = new DeadLetters() {
            @Override
            public void publish(InboundRecord record, Rejection rejection, Runnable onAcknowledged) {
                onAcknowledged.run();
            }

            @Override
            public void cancelAll() {
            }
        };
        SinkStage<String> stage = new SinkStage<>(new BatchProperties(10, Duration.ofMillis(1), 1), 100, shortAnswers, deadLetters,
                new Completions(100), new Backoff(new RetryProperties(Duration.ofMillis(1), Duration.ofMillis(10), 2.0, 0.2)),
                new FlowMetrics(new SimpleMeterRegistry()), (where, error) -> failed.complete(error));
        stage.start();

        RecordRef ref = new RecordRef(new PartitionId("t", 0), 1, 0, 1);
        stage.put(new SinkItem<>(new InboundRecord(ref, null, new byte[] {1}, 0), "x"));

        assertThat(failed.get(10, TimeUnit.SECONDS)).as("reported to the pipeline").isInstanceOf(IndexOutOfBoundsException.class);
        stage.cancel();
        assertThat(stage.join(Duration.ofSeconds(5))).isTrue();
    }
}
