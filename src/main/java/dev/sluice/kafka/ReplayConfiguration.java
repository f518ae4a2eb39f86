package dev.sluice.kafka;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/** The dead-letter replay, on the application's Kafka clients ({@code spring.kafka.*}). */
@Configuration(proxyBeanMethods = false)
class ReplayConfiguration {

    @Bean
    DeadLetterReplay deadLetterReplay(ConsumerFactory<?, ?> consumers, ProducerFactory<?, ?> producers, SourceProperties source,
            ReplayProperties bounds, ReplayJournal journal) {
        return new DeadLetterReplay(consumers, producers, source, bounds, journal);
    }
}
