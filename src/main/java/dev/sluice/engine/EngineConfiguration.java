package dev.sluice.engine;

import dev.sluice.kafka.PipelineSettings;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.postgres.DatabaseProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The engine's wiring, the same for every job: connections from Boot, bounds from {@code sluice.*};
 * and the jobs' pipelines, one per {@link Job} bean and per job of each {@link JobSource} bean.
 */
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

    @Bean
    @SuppressWarnings("unchecked")
    Engine engine(ConsumerFactory<?, ?> consumerFactory, ProducerFactory<?, ?> producerFactory, DataSource dataSource,
            SourceProperties source, FlowProperties flow, BatchProperties batch, RetryProperties retry,
            ShutdownProperties shutdown, DeliveryProperties delivery, DatabaseProperties database, MeterRegistry registry,
            ObjectProvider<ObservationRegistry> observations) {
        Producer<byte[], byte[]> producer = (Producer<byte[], byte[]>) producerFactory.createProducer();
        return new Engine(consumerFactory, producer, dataSource, new PipelineSettings(source, flow, batch, retry, shutdown, delivery),
                registry, observations.getIfAvailable(() -> ObservationRegistry.NOOP), database, owner());
    }

    @Bean
    Pipelines pipelines(Engine engine, ObjectProvider<Job<?>> jobBeans, ObjectProvider<JobSource> sources,
            ObjectProvider<SinkDecorator<?>> decorators) {
        List<Job<?>> jobs = new ArrayList<>(jobBeans.orderedStream().toList());
        sources.orderedStream().forEach(source -> jobs.addAll(source.jobs()));
        JobValidation.validate(jobs);
        Map<String, SinkDecorator<?>> byJob = new HashMap<>();
        decorators.orderedStream().forEach(decorator -> {
            if (jobs.stream().noneMatch(job -> job.name().equals(decorator.job()))) {
                throw new IllegalStateException("a SinkDecorator names job " + decorator.job() + ", which is not configured");
            }
            if (byJob.putIfAbsent(decorator.job(), decorator) != null) {
                throw new IllegalStateException("two SinkDecorators for job " + decorator.job() + ": at most one per job");
            }
        });
        return new Pipelines(jobs.stream().map(job -> build(engine, job, byJob.get(job.name()))).toList());
    }

    @SuppressWarnings("unchecked")
    private static <T> JobPipeline build(Engine engine, Job<T> job, SinkDecorator<?> decorator) {
        UnaryOperator<BatchSink<T>> decorate = decorator == null ? UnaryOperator.identity()
                : ((SinkDecorator<T>) decorator).wrap();
        return engine.build(job, decorate);
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
