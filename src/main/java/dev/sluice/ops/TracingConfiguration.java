package dev.sluice.ops;

import io.micrometer.tracing.Tracer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Record-aware tracing: Boot groups {@link io.micrometer.tracing.handler.TracingObservationHandler}s
 * and hands each observation to the first that supports it, in bean order. Boot's own run at
 * orders 1000 (receiver), 2000 (sender) and near the lowest precedence (default); this one goes
 * first. With no tracing bridge the tracer is Boot's no-op one and so are the spans.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

    @Bean
    @Order(500)
    RecordTraceHandler recordTraceHandler(Tracer tracer) {
        return new RecordTraceHandler(tracer);
    }
}
