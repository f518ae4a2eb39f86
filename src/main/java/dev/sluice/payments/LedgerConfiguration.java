package dev.sluice.payments;

import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.kafka.PipelineSettings;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.postgres.TransactionalBatchSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Wires the payments-ledger job onto the generic engine: its decoder, its process step (identity
 * unless the application provides a {@code ProcessStep<Payment>} bean) and its sink. Replacing the
 * job means replacing this configuration, not the flow control.
 */
@Configuration(proxyBeanMethods = false)
class LedgerConfiguration {

    @Bean
    PaymentParser paymentParser(PaymentProperties properties) {
        return new PaymentParser(properties);
    }

    @Bean
    TransactionalBatchSink<Payment> ledgerSink(DataSource dataSource, ObjectProvider<ObservationRegistry> observations) {
        return new TransactionalBatchSink<>(dataSource, new LedgerWriter(), observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    @Bean
    @SuppressWarnings("unchecked")
    KafkaPipeline<Payment> pipeline(ConsumerFactory<?, ?> consumerFactory, ProducerFactory<?, ?> producerFactory,
            PaymentParser parser, ObjectProvider<ProcessStep<Payment>> step, BatchSink<Payment> sink,
            SourceProperties source, FlowProperties flow, BatchProperties batch, RetryProperties retry,
            ShutdownProperties shutdown, MeterRegistry registry, ObjectProvider<ObservationRegistry> observations) {
        Producer<byte[], byte[]> producer = (Producer<byte[], byte[]>) producerFactory.createProducer();
        return new KafkaPipeline<>(consumerFactory, producer, parser, step.getIfAvailable(ProcessStep::identity), sink,
                new PipelineSettings(source, flow, batch, retry, shutdown), registry, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }
}
