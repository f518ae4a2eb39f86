package dev.sluice.engine;

import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.kafka.PipelineSettings;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.postgres.DatabaseProperties;
import dev.sluice.postgres.PostgresProgress;
import dev.sluice.postgres.TransactionalBatchSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Puts a {@link Job} on the engine: its transactional sink (with the exactly-once progress and
 * fencing when {@code sluice.delivery.guarantee=exactly-once}) and its Kafka pipeline. A job's
 * configuration is three beans:
 * <pre>{@code
 * @Bean Job<Order> orderJob() { return new Job<>("orders", new OrderDecoder(), ProcessStep.identity(), new OrderWriter()); }
 * @Bean TransactionalBatchSink<Order> orderSink(Engine engine, Job<Order> job) { return engine.sink(job); }
 * @Bean KafkaPipeline<Order> pipeline(Engine engine, Job<Order> job, BatchSink<Order> sink) { return engine.pipeline(job, sink); }
 * }</pre>
 * Spans (when tracing is configured) come from the application's {@link ObservationRegistry}.
 * The sink is a bean of its own so an application (or a test) can wrap it with a {@code @Primary}
 * {@link BatchSink}. Thread-safe; one progress store per consumer group, shared by the sink, which
 * records into it, and the pipeline, which claims from it.
 */
public final class Engine {

    private final ConsumerFactory<?, ?> consumerFactory;
    private final Producer<byte[], byte[]> producer;
    private final DataSource dataSource;
    private final PipelineSettings settings;
    private final DeliveryProperties delivery;
    private final MeterRegistry registry;
    private final ObservationRegistry observations;
    private final DatabaseProperties database;
    /** Null in at-least-once mode. */
    private final PostgresProgress progress;

    Engine(ConsumerFactory<?, ?> consumerFactory, Producer<byte[], byte[]> producer, DataSource dataSource,
            PipelineSettings settings, DeliveryProperties delivery, MeterRegistry registry, ObservationRegistry observations,
            DatabaseProperties database, String group, String owner) {
        this.database = database;
        this.consumerFactory = consumerFactory;
        this.producer = producer;
        this.dataSource = dataSource;
        this.settings = settings;
        this.delivery = delivery;
        this.registry = registry;
        this.observations = observations;
        this.progress = delivery.exactlyOnce()
                ? new PostgresProgress(dataSource, group, owner, delivery.claimTimeout(), delivery.compactInterval(), database)
                : null;
    }

    public DeliveryProperties delivery() {
        return delivery;
    }

    /** The job's sink: one PostgreSQL transaction per batch, with the engine's progress in it (exactly-once). */
    public <T> TransactionalBatchSink<T> sink(Job<T> job) {
        return new TransactionalBatchSink<>(dataSource, job.writer(), progress, observations, database);
    }

    /** The job's pipeline, writing through {@code sink} (the job's {@link #sink}, or an application's wrapper of it). */
    public <T> KafkaPipeline<T> pipeline(Job<T> job, BatchSink<T> sink) {
        return new KafkaPipeline<>(consumerFactory, producer, job.decoder(), job.step(), sink, progress, settings, registry,
                observations);
    }
}
