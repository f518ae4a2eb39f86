package dev.sluice.postgres;

import dev.sluice.testinfra.InFlightSampler;
import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.InfraMode;
import dev.sluice.testinfra.IntegrationTest;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.TestPropertySource;

/**
 * PostgreSQL goes away for 20 s while traffic keeps coming: batches are retried (visible in
 * {@code sluice.retries}), nothing is dead-lettered or committed past them, in flight stays within
 * its bound, and once the database is back the pipeline resumes by itself and ends exact.
 */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=500", "sluice.batch.max-size=100"})
class DatabaseOutageIT extends IntegrationTest {

    private static final int BOUND = 500;

    @Test
    void retriesThroughAnOutageWithinTheBoundAndResumesByItselfWhenTheDatabaseReturns() throws Exception {
        Assumptions.assumeTrue(InfraMode.current() == InfraMode.EMBEDDED, "stops the embedded PostgreSQL");
        String prefix = prefix("outage");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 100).withDuplicates(0.05));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 5_000, new ExpectedLedger());

        InFlightSampler sampler = new InFlightSampler(pipeline, 1_000);
        pipeline.resume();
        await(Duration.ofSeconds(30)).until(() -> pipeline.status().totals().written() >= 1_000);

        ListAppender<ILoggingEvent> sinkLines = new ListAppender<>();
        sinkLines.start();
        Logger sinkLog = (Logger) LoggerFactory.getLogger("dev.sluice.pipeline.SinkStage");
        sinkLog.addAppender(sinkLines);
        EmbeddedInfrastructure.stopPostgres();
        try {
            long retriesAtStop = pipeline.metrics().retriesTotal();
            long deadLettersAtStop = pipeline.status().totals().deadLettered();
            // traffic keeps coming during the outage
            traffic.produce(topicName(), generator, 5_000, expected);
            await(Duration.ofSeconds(10)).until(() -> pipeline.metrics().retriesTotal() > retriesAtStop);
            long writtenDuringOutage = pipeline.status().totals().written();
            Map<Integer, Long> committedDuringOutage = ConsumerLag.committed(bootstrapServers(), group());

            // the outage itself: 20 s in which the pipeline keeps retrying and never exceeds its bound
            Awaitility.await().pollDelay(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(25))
                    .until(() -> pipeline.metrics().retriesTotal() > retriesAtStop);

            assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
            assertThat(pipeline.status().inFlight()).as("work waits in flight").isPositive();
            assertThat(sampler.max()).as("in flight never above the bound").isBetween(1, BOUND);
            assertThat(pipeline.status().totals().written()).as("nothing written while the database is down")
                    .isEqualTo(writtenDuringOutage);
            assertThat(ConsumerLag.committed(bootstrapServers(), group())).as("nothing committed past the failing batches")
                    .isEqualTo(committedDuringOutage);
            assertThat(pipeline.status().totals().deadLettered()).as("no valid record dead-lettered")
                    .isEqualTo(deadLettersAtStop);
            Counter sinkRetries = pipeline.metrics().registry().find("sluice.retries").tag("stage", "sink").tag("cause", "connection")
                    .counter();
            assertThat(sinkRetries).as("sluice.retries{stage=sink,cause=connection}").isNotNull();
            assertThat(sinkRetries.count()).isPositive();
            List<ILoggingEvent> retryLines;
            synchronized (sinkLines) { // AppenderBase appends under its own lock
                retryLines = List.copyOf(sinkLines.list);
            }
            assertThat(retryLines).as("the retry warnings name their batch's partitions and offsets")
                    .filteredOn(line -> line.getFormattedMessage().contains("not written")).isNotEmpty()
                    .allSatisfy(line -> {
                        assertThat(line.getMDCPropertyMap().get("sluice.partition")).startsWith(topicName() + "-");
                        assertThat(line.getMDCPropertyMap().get("sluice.offset")).matches("[0-9]+\\.\\.[0-9]+(,[0-9]+\\.\\.[0-9]+)*");
                    });
        } finally {
            sinkLog.detachAppender(sinkLines);
            EmbeddedInfrastructure.startPostgres();
        }
        long restarted = System.nanoTime();
        long writtenAtRestart = pipeline.status().totals().written();
        await(Duration.ofSeconds(30)).until(() -> pipeline.status().totals().written() > writtenAtRestart);
        long resumeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
        assertThat(resumeMillis).as("writing resumed %d ms after the database came back", resumeMillis).isLessThan(15_000);

        awaitNoLag(Duration.ofSeconds(60));
        sampler.close();
        assertThat(sampler.max()).as("in flight never above the bound").isBetween(1, BOUND);
        assertInvariant(jdbc, prefix, expected);
        assertThat(DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic())).as("dead letters").isEmpty();
        System.out.printf("database outage: resumed %d ms after restart; max in flight %d (bound %d); retries %d%n",
                resumeMillis, sampler.max(), BOUND, pipeline.metrics().retriesTotal());
    }
}
