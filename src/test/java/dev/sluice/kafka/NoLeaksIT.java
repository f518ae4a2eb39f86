package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.SimulatedCall;
import dev.sluice.testinfra.Traffic;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Many drain→resume and abort→resume cycles under load with a slow stage leave nothing behind:
 * threads (platform and virtual), Kafka clients, JDBC connections and heap after GC return to
 * where they were after the first cycle, and the ledger is exact at the end.
 */
@Import(NoLeaksIT.Slow.class)
@TestPropertySource(properties = {"sluice.flow.max-in-flight=2000", "sluice.batch.max-size=200",
    "sluice.shutdown.abort-timeout=500ms"})
class NoLeaksIT extends IntegrationTest {

    static final int CYCLES = 12;

    @TestConfiguration(proxyBeanMethods = false)
    static class Slow {
        @Bean
        ProcessStep<Payment> slowStep() {
            return payment -> {
                SimulatedCall.take(Duration.ofMillis(2));
                return payment;
            };
        }
    }

    /** What a stop could leak, counted. */
    record Footprint(int platformThreads, int sluiceThreads, int kafkaClients, int jdbcConnections, long heapAfterGc) {
    }

    @Test
    void drainAndAbortCyclesUnderLoadLeaveNoThreadsClientsConnectionsOrHeapBehind() throws Exception {
        String prefix = prefix("leaks");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        ExpectedLedger expected = new ExpectedLedger();
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = Thread.ofPlatform().name("test-load").start(() -> {
            PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 200).withDuplicates(0.05));
            try (Traffic producer = new Traffic(bootstrapServers())) {
                for (int burst = 0; burst < 400 && loading.get(); burst++) {
                    producer.produce(topicName(), generator, 250, 5_000, expected);
                }
            }
        });

        pipeline.resume();
        cycle(0);
        Footprint before = footprint();
        for (int i = 1; i <= CYCLES; i++) {
            cycle(i);
        }
        loading.set(false);
        load.join(Duration.ofSeconds(60));
        assertThat(load.isAlive()).isFalse();
        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(120));
        assertInvariant(jdbc, prefix, expected);
        pipeline.drain(Duration.ofSeconds(10));
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(15))).isTrue();

        await(Duration.ofSeconds(20)).untilAsserted(() -> {
            Footprint after = footprint();
            assertThat(after.platformThreads()).as("platform threads").isLessThanOrEqualTo(before.platformThreads() + 2);
            assertThat(after.sluiceThreads()).as("sluice-* threads, virtual included").isZero();
            assertThat(after.kafkaClients()).as("Kafka consumers").isLessThanOrEqualTo(before.kafkaClients());
            assertThat(after.jdbcConnections()).as("JDBC connections in use").isZero();
            assertThat(after.heapAfterGc()).as("heap after GC").isLessThanOrEqualTo(before.heapAfterGc() + 48L * 1024 * 1024);
        });
    }

    /** Runs until some more payments are written, then drains (even cycles) or aborts (odd ones), then resumes. */
    private void cycle(int number) throws InterruptedException {
        if (pipeline.status().state() == PipelineState.STOPPED) {
            pipeline.resume();
        }
        long written = pipeline.status().totals().written();
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().totals().written() > written + 200);
        if (number % 2 == 0) {
            pipeline.drain(Duration.ofSeconds(10));
        } else {
            pipeline.abort();
        }
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(15))).as("cycle %d stopped", number).isTrue();
    }

    private Footprint footprint() throws IOException, MalformedObjectNameException {
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int kafkaClients = ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("kafka.consumer:type=app-info,*"), null).size();
        int connections = ((HikariDataSource) dataSource).getHikariPoolMXBean().getActiveConnections();
        return new Footprint(ManagementFactory.getThreadMXBean().getThreadCount(), sluiceThreads(), kafkaClients, connections, heap);
    }

    /** Threads named sluice-* (poll, workers, sink shards, dead-letter sends), virtual ones included. */
    private static int sluiceThreads() throws IOException {
        Path dump = Files.createTempFile("threads", ".json");
        Files.delete(dump);
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            Matcher names = Pattern.compile("\"name\": \"sluice-(poll|work|sink|dlt)").matcher(Files.readString(dump));
            int count = 0;
            while (names.find()) {
                count++;
            }
            return count;
        } finally {
            Files.deleteIfExists(dump);
        }
    }
}
