package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.SinkDecorator;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Errors, not exceptions, thrown by a stage: before, an {@link Error} ended the worker or sink thread
 * silently and its key lane or batch never completed. Now an error for one record rejects that
 * record, one in the sink is retried like any unexpected failure, and a fatal one fails the run:
 * it aborts, and liveness goes DOWN until a resume brings it back.
 */
@Import(StageErrorsIT.Stages.class)
@TestPropertySource(properties = {"sluice.batch.max-size=50", "sluice.retry.max-backoff=200ms"})
class StageErrorsIT extends IntegrationTest {

    /** Throws an AssertionError for payments whose id ends in "7" while asked to, and an OutOfMemoryError once armed. */
    static final class FaultyStep implements ProcessStep<Payment> {
        volatile String fatalFor;
        volatile boolean assertOnSevens;

        @Override
        public Payment apply(Payment payment) {
            if (payment.paymentId().equals(fatalFor)) {
                throw new OutOfMemoryError("simulated for " + payment.paymentId());
            }
            if (assertOnSevens && payment.paymentId().endsWith("7")) {
                throw new AssertionError("step assertion on " + payment.paymentId());
            }
            return payment;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Stages {
        static final AtomicInteger SINK_ERRORS_LEFT = new AtomicInteger();

        @Bean
        FaultyStep faultyStep() {
            return new FaultyStep();
        }

        @Bean
        SinkDecorator<Payment> flakySink() {
            return new SinkDecorator<>("ledger", ledgerSink -> new BatchSink<>() {
                @Override
                public List<SinkOutcome> write(List<SinkItem<Payment>> batch) throws TransientSinkException, InterruptedException {
                    if (SINK_ERRORS_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new AssertionError("sink assertion");
                    }
                    return ledgerSink.write(batch);
                }

                @Override
                public void cancelAll() {
                    ledgerSink.cancelAll();
                }
            });
        }
    }

    @Autowired
    FaultyStep step;
    @LocalServerPort
    int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anErrorForOneRecordRejectsItAndAnErrorInTheSinkIsRetried() {
        String prefix = prefix("errors");
        traffic.createTopics(2, topicName(), deadLetterTopic());
        Stages.SINK_ERRORS_LEFT.set(3);
        step.assertOnSevens = true;
        ExpectedLedger produced = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 20)),
                400, new ExpectedLedger());

        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));

        List<DeadLetter> letters = lettersOf(prefix);
        assertThat(letters).isNotEmpty().allSatisfy(letter -> {
            assertThat(letter.reason()).isEqualTo(RejectReason.INVALID.header());
            assertThat(letter.headers().get("sluice.error.detail")).contains("AssertionError");
        });
        long stored = jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE account LIKE ?", Long.class, prefix + "%");
        assertThat(stored + letters.size()).as("every record written or dead-lettered").isEqualTo(produced.distinctValid());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE account LIKE ? AND payment_id LIKE '%7'",
                Long.class, prefix + "%")).isZero();
        assertThat(pipeline.metrics().registry().get("sluice.retries").tag("stage", "sink")
                .tag("cause", "unexpected-AssertionError").counter().count()).isEqualTo(3.0);
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
    }

    @Test
    void aFatalErrorFailsTheRunAndLivenessUntilAResume() throws Exception {
        String prefix = prefix("fatal");
        traffic.createTopics(2, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 20));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 200, new ExpectedLedger());
        step.assertOnSevens = false;
        step.fatalFor = prefix + "-fatal";
        traffic.send(topicName(), prefix + "-acc-1", ("{\"paymentId\":\"" + prefix + "-fatal\",\"account\":\"" + prefix
                + "-acc-1\",\"amountCents\":5,\"currency\":\"EUR\",\"occurredAt\":\"2026-11-29T10:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8));
        traffic.flush();
        assertThat(get("/actuator/health/liveness")).isEqualTo(200);

        pipeline.resume();
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(30))).as("the run failed and stopped").isTrue();
        assertThat(pipeline.status().lastStop().reason()).contains("failure in worker", "OutOfMemoryError");
        await(Duration.ofSeconds(10)).until(() -> get("/actuator/health/liveness") == 503);

        step.fatalFor = null;
        pipeline.resume();
        await(Duration.ofSeconds(10)).until(() -> get("/actuator/health/liveness") == 200);
        awaitNoLag(Duration.ofSeconds(60));
        long stored = jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE account LIKE ?", Long.class, prefix + "%");
        assertThat(stored).as("nothing lost across the failure, the fatal record included").isEqualTo(expected.distinctValid() + 1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE payment_id = ?", Long.class, prefix + "-fatal")).isOne();
        assertThat(lettersOf(prefix)).isEmpty();
    }

    private List<DeadLetter> lettersOf(String prefix) {
        return DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic()).stream()
                .filter(letter -> new String(letter.value(), StandardCharsets.UTF_8).contains(prefix)).toList();
    }

    private int get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
