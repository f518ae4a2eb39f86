package dev.sluice.engine;

import dev.sluice.kafka.PipelineSettings;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.postgres.DatabaseProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/** The engine's wiring, the same for every job: connections from Boot, bounds from {@code sluice.*}. */
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

    @Bean
    @SuppressWarnings("unchecked")
    Engine engine(ConsumerFactory<?, ?> consumerFactory, ProducerFactory<?, ?> producerFactory, DataSource dataSource,
            SourceProperties source, FlowProperties flow, BatchProperties batch, RetryProperties retry,
            ShutdownProperties shutdown, DeliveryProperties delivery, DatabaseProperties database, MeterRegistry registry,
            ObjectProvider<ObservationRegistry> observations) {
        Object group = consumerFactory.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG);
        if (group == null || group.toString().isBlank()) {
            throw new IllegalStateException("spring.kafka.consumer.group-id must be set: the group's offsets and"
                    + " (exactly-once) its progress in PostgreSQL are kept under it");
        }
        Producer<byte[], byte[]> producer = (Producer<byte[], byte[]>) producerFactory.createProducer();
        return new Engine(consumerFactory, producer, dataSource, new PipelineSettings(source, flow, batch, retry, shutdown, delivery),
                delivery, registry, observations.getIfAvailable(() -> ObservationRegistry.NOOP), database, group.toString(), owner());
    }

    /** Names this process in {@code sluice_owner} (host and pid), for operators reading it. */
    private static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}
