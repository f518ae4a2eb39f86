package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.ShutdownProperties.FailurePolicy;
import dev.sluice.pipeline.ShutdownProperties.StopMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.util.unit.DataSize;

/**
 * A resume whose consumer cannot be created (here: no resolvable bootstrap server) leaves the
 * pipeline STOPPED and says why. Before, the state moved to RUNNING first and stayed there with no
 * poll thread; a drain then waited forever.
 */
class ResumeFailureTest {

    @Test
    void aResumeThatCannotCreateItsConsumerStaysStoppedAndADrainAfterItDoesNotHang() {
        DefaultKafkaConsumerFactory<byte[], byte[]> broken = new DefaultKafkaConsumerFactory<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "no-such-host.invalid:9092",
                ConsumerConfig.GROUP_ID_CONFIG, "g",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        PipelineSettings settings = new PipelineSettings(
                new SourceProperties("t", "t.DLT", Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(5),
                        DataSize.ofKilobytes(16), false),
                FlowProperties.of(1000, DataSize.ofMegabytes(1), 0.5, 10),
                new BatchProperties(100, Duration.ofMillis(20), 2),
                new RetryProperties(Duration.ofMillis(10), Duration.ofMillis(100), 2.0, 0.2),
                new ShutdownProperties(StopMode.DRAIN, Duration.ofSeconds(1), Duration.ofMillis(200), FailurePolicy.STAY_UP),
                DeliveryProperties.defaults());
        KafkaPipeline<byte[]> pipeline = new KafkaPipeline<>(broken,
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                (key, value) -> Decoded.accepted(value), ProcessStep.identity(), RunHarness.allWritten(), settings, new SimpleMeterRegistry());

        assertThatThrownBy(pipeline::resume).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resume failed, pipeline stays STOPPED");
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.STOPPED);
        assertThat(pipeline.drain(Duration.ofSeconds(1))).as("nothing to drain").isEqualTo(PipelineState.STOPPED);
        assertThat(pipeline.isRunning()).isFalse();
    }
}
