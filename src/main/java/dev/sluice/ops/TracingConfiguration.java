package dev.sluice.ops;

import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.tracing.autoconfigure.TracingProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Record-aware tracing on Boot's OpenTelemetry set-up ({@code spring-boot-micrometer-tracing-opentelemetry}
 * with the Micrometer OTel bridge). Boot groups {@link io.micrometer.tracing.handler.TracingObservationHandler}s
 * and hands each observation to the first that supports it, in bean order; Boot's own run at
 * orders 1000 (receiver), 2000 (sender) and near the lowest precedence (default), so
 * {@link RecordTraceHandler} goes first.
 *
 * <p>No exporter, no tracing: without a {@link SpanExporter} bean (Boot creates the OTLP one only
 * when {@code management.opentelemetry.tracing.export.otlp.endpoint} is set) the sampler drops
 * every span, so spans are never recorded, whatever a record's {@code traceparent} says. With an
 * exporter it is Boot's own: parent-based, new traces sampled at {@code management.tracing.sampling.probability}.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

    @Bean
    @Order(500)
    RecordTraceHandler recordTraceHandler(Tracer tracer) {
        return new RecordTraceHandler(tracer);
    }

    @Bean
    Sampler sluiceSampler(TracingProperties tracing, ObjectProvider<SpanExporter> exporters) {
        return sampler(exporters.stream().findAny().isPresent(), tracing.getSampling().getProbability());
    }

    static Sampler sampler(boolean exporting, double probability) {
        return exporting ? Sampler.parentBased(Sampler.traceIdRatioBased(probability)) : Sampler.alwaysOff();
    }
}
