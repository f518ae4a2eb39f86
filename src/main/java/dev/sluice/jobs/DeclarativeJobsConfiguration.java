package dev.sluice.jobs;

import dev.sluice.engine.Job;
import dev.sluice.engine.JobSource;
import dev.sluice.jobs.JobDefinition.Format;
import dev.sluice.jobs.avro.ConfluentAvroReader;
import dev.sluice.jobs.avro.SchemaRegistryClient;
import dev.sluice.jobs.avro.SchemaRegistryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code sluice.jobs.*} jobs on the engine: each definition, checked against its table at
 * start-up, becomes a {@link Job} of a {@link JobSource}, so the engine gives it its own pipeline,
 * group, dead-letter topic and exactly-once progress like any Java job. The schema registry client
 * exists only when a job reads Avro.
 */
@Configuration(proxyBeanMethods = false)
class DeclarativeJobsConfiguration {

    /** Null unless a job has {@code format: avro}; closed with the context. */
    @Bean(destroyMethod = "close")
    @Nullable SchemaRegistryClient schemaRegistryClient(JobsProperties jobs, SchemaRegistryProperties registry) {
        return readsAvro(jobs) ? new SchemaRegistryClient(registry) : null;
    }

    @Bean
    JobSource declarativeJobs(JobsProperties jobs, ObjectProvider<SchemaRegistryClient> registry, DataSource dataSource,
            MeterRegistry meters) throws SQLException {
        if (jobs.jobs().isEmpty()) {
            return List::of;
        }
        SchemaRegistryClient client = registry.getIfAvailable();
        ValueReader avro = client == null ? null : new ConfluentAvroReader(client)::read;
        List<Job<?>> built = DeclarativeJobs.create(jobs, dataSource, avro, meters).stream()
                .<Job<?>>map(parts -> new Job<>(parts.name(), parts.topic(), parts.group(), parts.deadLetterTopic(),
                        parts.decoder(), parts.step(), parts.writer()))
                .toList();
        return () -> built;
    }

    private static boolean readsAvro(JobsProperties jobs) {
        return jobs.jobs().values().stream().anyMatch(job -> job.format() == Format.AVRO);
    }
}
