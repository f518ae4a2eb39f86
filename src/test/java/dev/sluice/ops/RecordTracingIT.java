package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.payments.Payment;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.testinfra.IntegrationTest;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Trace context through the pipeline on the real broker and database: a record produced with a
 * W3C {@code traceparent} gets its sink transaction span linked to (or parented by) its
 * producer's span, a refused one gets a dead-letter span in the producer's trace, and the log
 * lines about a record (the process step's own, the dead-letter lines) carry its partition,
 * offset and trace id.
 */
@AutoConfigureTracing
@Import(RecordTracingIT.Exporter.class)
@TestPropertySource(properties = "management.tracing.sampling.probability=1.0")
class RecordTracingIT extends IntegrationTest {

    private static final String VALID_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String VALID_SPAN = "b7ad6b7169203331";
    private static final String REFUSED_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String REFUSED_SPAN = "00f067aa0ba902b7";

    @TestConfiguration(proxyBeanMethods = false)
    static class Exporter {
        @Bean
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }

        /** A process step that logs about each record, as a job's own step might. */
        @Bean
        ProcessStep<Payment> loggingStep() {
            return payment -> {
                STEP_LOG.info("processing {}", payment.paymentId());
                return payment;
            };
        }
    }

    private static final org.slf4j.Logger STEP_LOG = LoggerFactory.getLogger("dev.sluice.test.LoggingStep");

    @Autowired
    InMemorySpanExporter spans;

    @Test
    void aTracedRecordsSpansJoinItsProducersTraceAndItsLogLinesCarryIt() throws Exception {
        traffic.createTopics(1, topicName(), deadLetterTopic());
        String prefix = prefix("traced");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Logger deadLetterLog = (Logger) LoggerFactory.getLogger("dev.sluice.kafka.KafkaDeadLetters");
        deadLetterLog.setLevel(Level.DEBUG);
        deadLetterLog.addAppender(lines);
        ListAppender<ILoggingEvent> stepLines = new ListAppender<>();
        stepLines.start();
        ((Logger) STEP_LOG).addAppender(stepLines);
        RecordMetadata valid;
        RecordMetadata refused;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            valid = producer.send(traced(prefix + "-acc", "{\"paymentId\":\"" + prefix + "-ok\",\"account\":\"" + prefix
                    + "-acc\",\"amountCents\":1999,\"currency\":\"EUR\",\"occurredAt\":\"2026-11-29T10:00:00Z\"}", VALID_TRACE, VALID_SPAN)).get();
            refused = producer.send(traced(prefix + "-acc", "{\"paymentId\":\"" + prefix + "-zero\",\"account\":\"" + prefix
                    + "-acc\",\"amountCents\":0,\"currency\":\"EUR\",\"occurredAt\":\"2026-11-29T10:00:00Z\"}", REFUSED_TRACE, REFUSED_SPAN)).get();
        }
        try {
            pipeline.resume();
            awaitNoLag(Duration.ofSeconds(60));

            await(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<SpanData> finished = spans.getFinishedSpanItems();
                assertThat(finished).filteredOn(s -> s.getName().equals("sluice.sink.write"))
                        .anySatisfy(span -> assertThat(span.getTraceId().equals(VALID_TRACE) && span.getParentSpanId().equals(VALID_SPAN)
                                || span.getLinks().stream().anyMatch(link -> link.getSpanContext().getTraceId().equals(VALID_TRACE)
                                        && link.getSpanContext().getSpanId().equals(VALID_SPAN)))
                                .as("sink span %s parented by or linked to the producer's span", span).isTrue());
                assertThat(finished).filteredOn(s -> s.getName().equals("sluice.records.dead.lettered.publish"))
                        .anySatisfy(span -> {
                            assertThat(span.getTraceId()).isEqualTo(REFUSED_TRACE);
                            assertThat(span.getParentSpanId()).isEqualTo(REFUSED_SPAN);
                            assertThat(span.getAttributes().asMap().toString()).contains("reason=invalid", "stage=validate");
                        });
            });
            assertThat(lines.list).as("log lines about the refused record").anySatisfy(line -> assertThat(line.getMDCPropertyMap())
                    .containsEntry("traceId", REFUSED_TRACE)
                    .containsEntry("sluice.partition", topicName() + "-" + refused.partition())
                    .containsEntry("sluice.offset", Long.toString(refused.offset())));
            assertThat(stepLines.list).as("the process step's lines about the valid record").anySatisfy(line -> assertThat(
                    line.getMDCPropertyMap())
                    .containsEntry("traceId", VALID_TRACE)
                    .containsEntry("sluice.partition", topicName() + "-" + valid.partition())
                    .containsEntry("sluice.offset", Long.toString(valid.offset())));
        } finally {
            ((Logger) STEP_LOG).detachAppender(stepLines);
            deadLetterLog.detachAppender(lines);
            deadLetterLog.setLevel(null);
        }
    }

    private ProducerRecord<byte[], byte[]> traced(String key, String value, String traceId, String spanId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", ("00-" + traceId + "-" + spanId + "-01").getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topicName(), null, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), headers);
    }
}
