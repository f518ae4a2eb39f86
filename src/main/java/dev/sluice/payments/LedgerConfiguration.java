package dev.sluice.payments;

import dev.sluice.engine.Engine;
import dev.sluice.engine.Job;
import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.postgres.TransactionalBatchSink;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The payments-ledger job on the engine: its decoder, its process step (identity unless the
 * application provides a {@code ProcessStep<Payment>} bean) and its writer, and nothing of the
 * flow control or delivery: a second job is the same three beans (see {@link Engine}).
 */
@Configuration(proxyBeanMethods = false)
class LedgerConfiguration {

    @Bean
    PaymentParser paymentParser(PaymentProperties properties) {
        return new PaymentParser(properties);
    }

    @Bean
    Job<Payment> ledgerJob(PaymentParser parser, ObjectProvider<ProcessStep<Payment>> step) {
        return new Job<>("ledger", parser, step.getIfAvailable(ProcessStep::identity), new LedgerWriter());
    }

    @Bean
    TransactionalBatchSink<Payment> ledgerSink(Engine engine, Job<Payment> ledgerJob) {
        return engine.sink(ledgerJob);
    }

    @Bean
    KafkaPipeline<Payment> pipeline(Engine engine, Job<Payment> ledgerJob, BatchSink<Payment> sink) {
        return engine.pipeline(ledgerJob, sink);
    }
}
