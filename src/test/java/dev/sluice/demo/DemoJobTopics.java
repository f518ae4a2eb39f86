package dev.sluice.demo;

import dev.sluice.jobs.JobDefinition;
import dev.sluice.jobs.JobsProperties;
import dev.sluice.testinfra.Traffic;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Creates the topic and dead-letter topic of every declared job ({@code sluice.jobs.*}) on the
 * demo's broker, which does not create topics on first use: a user who adds a job to command 1
 * with an extra configuration file can produce into its topic at once. The topics exist before
 * the pipelines start, since beans are created before any lifecycle starts.
 */
@TestConfiguration(proxyBeanMethods = false)
public class DemoJobTopics {

    static final int PARTITIONS = 8;

    /** A marker bean: its creation is the topics' creation. */
    public record Created(int topics) {
    }

    @Bean
    Created jobTopicsCreated(JobsProperties jobs, KafkaConnectionDetails kafka) {
        try (Traffic admin = new Traffic(String.join(",", kafka.getBootstrapServers()))) {
            for (JobDefinition job : jobs.jobs().values()) {
                admin.createTopics(PARTITIONS, job.topic(), job.deadLetterTopic());
            }
        }
        return new Created(jobs.jobs().size() * 2);
    }
}
