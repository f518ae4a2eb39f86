package dev.sluice.payments;

import dev.sluice.engine.Job;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.pipeline.ProcessStep;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The payments-ledger job on the engine: its decoder, its process step (identity unless the
 * application provides a {@code ProcessStep<Payment>} bean) and its writer, and nothing of the
 * flow control or delivery. It reads {@code sluice.source.topic} in the group
 * {@code spring.kafka.consumer.group-id} (so a deployment keeps its committed offsets and progress)
 * and dead-letters to {@code sluice.source.dead-letter-topic}. Off with
 * {@code sluice.payments.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sluice.payments.enabled", havingValue = "true", matchIfMissing = true)
class LedgerConfiguration {

    static final String NAME = "ledger";

    @Bean
    PaymentParser paymentParser(PaymentProperties properties) {
        return new PaymentParser(properties);
    }

    @Bean
    Job<Payment> ledgerJob(PaymentParser parser, ObjectProvider<ProcessStep<Payment>> step, SourceProperties source,
            Environment environment) {
        String group = environment.getProperty("spring.kafka.consumer.group-id");
        if (group == null || group.isBlank()) {
            throw new IllegalStateException("spring.kafka.consumer.group-id must be set for the ledger job: its offsets and"
                    + " (exactly-once) its progress in PostgreSQL are kept under it");
        }
        return Job.of(NAME, source.topic(), parser, new LedgerWriter()).withGroup(group)
                .withDeadLetterTopic(source.deadLetterTopic()).withStep(step.getIfAvailable(ProcessStep::identity));
    }
}
