package dev.sluice.engine;

import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.kafka.PipelineSettings;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.postgres.DatabaseProperties;
import dev.sluice.postgres.PostgresProgress;
import dev.sluice.postgres.TransactionalBatchSink;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * Puts a {@link Job} on the engine: its transactional sink (with its own exactly-once progress and
 * fencing, keyed by the job's group, when {@code sluice.delivery.guarantee=exactly-once}) and its
 * Kafka pipeline, reading the job's topic in the job's group and dead-lettering to the job's
 * topic. The connections, bounds and delivery settings are the engine's, the same for every job.
 * Each job's meters carry the tag {@code job=<name>}: the pipeline and the operations classes
 * register them in the job's {@link JobPipeline#meters() view} of the application's registry.
 * Spans (when tracing is configured) come from the application's {@link ObservationRegistry}.
 *
 * <p>Thread-safe: immutable; each call builds new parts.
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
    private final String owner;

    Engine(ConsumerFactory<?, ?> consumerFactory, Producer<byte[], byte[]> producer, DataSource dataSource,
            PipelineSettings settings, MeterRegistry registry, ObservationRegistry observations, DatabaseProperties database,
            String owner) {
        this.database = database;
        this.consumerFactory = consumerFactory;
        this.producer = producer;
        this.dataSource = dataSource;
        this.settings = settings;
        this.delivery = settings.delivery();
        this.registry = registry;
        this.observations = observations;
        this.owner = owner;
    }

    public DeliveryProperties delivery() {
        return delivery;
    }

    /**
     * The job's pipeline, writing through its transactional sink, or through what {@code decorate}
     * makes of it (a test's fault injection, an application's wrapper).
     */
    <T> JobPipeline build(Job<T> job, UnaryOperator<BatchSink<T>> decorate) {
        MeterRegistry meters = meters(job.name());
        PostgresProgress progress = delivery.exactlyOnce()
                ? new PostgresProgress(dataSource, job.group(), owner, delivery.claimTimeout(), delivery.compactInterval(), database)
                : null;
        BatchSink<T> sink = Objects.requireNonNull(decorate.apply(
                new TransactionalBatchSink<>(dataSource, job.writer(), progress, observations, database)),
                () -> "the sink decorator of job " + job.name() + " returned null");
        KafkaPipeline<T> pipeline = new KafkaPipeline<>(consumerFactory(job), producer, job.decoder(), job.step(), sink, progress,
                settings(job), meters, observations);
        return new JobPipeline(job, pipeline, meters);
    }

    /** The application's registry with {@code job=<name>} on every meter registered through it. */
    private MeterRegistry meters(String job) {
        CompositeMeterRegistry meters = new CompositeMeterRegistry(Clock.SYSTEM, List.of(registry));
        meters.config().commonTags("job", job);
        return meters;
    }

    private PipelineSettings settings(Job<?> job) {
        return new PipelineSettings(source(settings.source(), job), settings.flow(), settings.batch(), settings.retry(),
                settings.shutdown(), settings.delivery());
    }

    /** {@code sluice.source.*} with the job's topic and dead-letter topic (its pipeline's, its replay's). */
    public static SourceProperties source(SourceProperties source, Job<?> job) {
        return new SourceProperties(job.topic(), job.deadLetterTopic(), source.pollTimeout(), source.commitInterval(),
                source.revokeTimeout(), source.deadLetterTruncateTo(), source.autoStartup());
    }

    /**
     * Boot's consumer factory with the job's {@code group.id} (and a client id of its own when one is
     * configured); Boot's factory itself when its group is the job's, so its listeners (client
     * metrics) and post-processors stay, as they are copied to a new factory.
     */
    private ConsumerFactory<?, ?> consumerFactory(Job<?> job) {
        Map<String, Object> config = new HashMap<>(consumerFactory.getConfigurationProperties());
        if (job.group().equals(config.get(ConsumerConfig.GROUP_ID_CONFIG))) {
            return consumerFactory;
        }
        config.put(ConsumerConfig.GROUP_ID_CONFIG, job.group());
        Object clientId = config.get(ConsumerConfig.CLIENT_ID_CONFIG);
        if (clientId != null && !clientId.toString().isBlank()) {
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + job.name());
        }
        DefaultKafkaConsumerFactory<Object, Object> copy = new DefaultKafkaConsumerFactory<>(config);
        if (consumerFactory instanceof DefaultKafkaConsumerFactory<?, ?> boot) {
            copy(boot, copy);
        }
        return copy;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void copy(DefaultKafkaConsumerFactory boot, DefaultKafkaConsumerFactory<Object, Object> copy) {
        boot.getListeners().forEach(listener -> copy.addListener((ConsumerFactory.Listener<Object, Object>) listener));
        boot.getPostProcessors().forEach(processor -> copy.addPostProcessor(
                (org.springframework.kafka.core.ConsumerPostProcessor<Object, Object>) processor));
    }
}
