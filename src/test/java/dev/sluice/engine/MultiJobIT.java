package dev.sluice.engine;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ops.Curl;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The ledger and two Java jobs (not idempotent: running totals) in one process, each with its own
 * topic, group and dead-letter topic: every effect exact, a drain of one job ({@code ?job=},
 * posted as curl posts it) leaves the others consuming, each job's meters carry its tag and each
 * job's dead letters go to its own topic.
 */
@Import(MultiJobIT.TwoJobs.class)
class MultiJobIT extends IntegrationTest {

    static final String ORDERS_TABLE = TotalsJob.uniqueTable("orders");
    static final String REFUNDS_TABLE = TotalsJob.uniqueTable("refunds");
    private static final String CREDENTIALS = "ops:test-ops-secret";

    /** Two jobs as an application declares them: one bean each. */
    @TestConfiguration(proxyBeanMethods = false)
    static class TwoJobs {
        @Bean
        Job<Long> orders(Environment environment) {
            return TotalsJob.job("orders", environment.getRequiredProperty("sluice.source.topic") + "-orders", ORDERS_TABLE)
                    .withGroup(environment.getRequiredProperty("spring.kafka.consumer.group-id") + "-orders");
        }

        @Bean
        JobSource refunds(Environment environment) {
            return () -> List.of(TotalsJob.job("refunds", environment.getRequiredProperty("sluice.source.topic") + "-refunds",
                    REFUNDS_TABLE).withGroup(environment.getRequiredProperty("spring.kafka.consumer.group-id") + "-refunds"));
        }
    }

    @Autowired
    MeterRegistry registry;

    /** What each job's table must hold, across the tests of the class (they share the tables). */
    private static final Map<String, Map<String, long[]>> expected = Map.of("orders", new HashMap<>(), "refunds", new HashMap<>());

    @BeforeEach
    void topicsAndTables() throws Exception {
        TotalsJob.createTable(dataSource, ORDERS_TABLE);
        TotalsJob.createTable(dataSource, REFUNDS_TABLE);
        traffic.createTopics(4, topicName(), deadLetterTopic());
        for (String job : List.of("orders", "refunds")) {
            traffic.createTopics(4, job(job).topic(), job(job).deadLetterTopic());
        }
    }

    @Test
    void theLedgerAndTwoJobsRunSideBySideEachExactWithItsOwnGroupDeadLettersAndMetrics() throws Exception {
        assertThat(pipelines.all()).extracting(JobPipeline::name).containsExactly("ledger", "orders", "refunds");
        assertThat(pipelines.all()).extracting(job -> job.job().group()).doesNotHaveDuplicates();
        double ordersBefore = written("orders");
        double refundsBefore = written("refunds");
        String prefix = prefix("multi");
        ExpectedLedger ledger = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 200)
                .withDuplicates(0.05).withInvalid(0.02)), 5_000, new ExpectedLedger());
        TotalsJob.send(traffic, job("orders").topic(), 1, 5_000, 30, expected.get("orders"));
        TotalsJob.send(traffic, job("refunds").topic(), 2, 3_000, 20, expected.get("refunds"));
        traffic.send(job("orders").topic(), "poison-orders", "not a number".getBytes(StandardCharsets.US_ASCII));
        traffic.send(job("refunds").topic(), "poison-refunds", "1.5".getBytes(StandardCharsets.US_ASCII));
        traffic.send(job("refunds").topic(), "poison-refunds", "-".getBytes(StandardCharsets.US_ASCII));
        traffic.flush();

        Curl.Result resumed = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume"));
        assertThat(resumed.status()).as(resumed.output()).isEqualTo(200);
        assertThat(resumed.body()).contains("\"state\":\"RUNNING\"", "\"orders\"", "\"refunds\"", "\"ledger\"");
        awaitCaughtUp("ledger", "orders", "refunds");

        assertInvariant(jdbc, prefix, ledger);
        assertExact("orders", ORDERS_TABLE);
        assertExact("refunds", REFUNDS_TABLE);
        assertThat(DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic())).hasSize((int) ledger.deadLetterTotal())
                .allSatisfy(letter -> assertThat(letter.headers()).containsEntry("sluice.source.topic", topicName()));
        assertDeadLetters("orders", "poison-orders", 1);
        assertDeadLetters("refunds", "poison-refunds", 2);

        assertThat(written("orders") - ordersBefore).isEqualTo(5_000);
        assertThat(written("refunds") - refundsBefore).isEqualTo(3_000);
        assertThat(written("ledger")).isEqualTo(pipeline.status().totals().written());
        String scrape = getBody("/actuator/prometheus");
        assertThat(scrape).contains("sluice_records_total{application=\"sluice\",job=\"orders\",outcome=\"written\"}",
                "sluice_records_total{application=\"sluice\",job=\"refunds\",outcome=\"written\"}",
                "sluice_inflight_records_limit{application=\"sluice\",job=\"ledger\"}",
                "sluice_window_records{application=\"sluice\",job=\"refunds\"}",
                "sluice_group_lag{application=\"sluice\",job=\"orders\"}",
                "sluice_stuck{application=\"sluice\",job=\"refunds\"} 0",
                "sluice_state{application=\"sluice\",job=\"orders\",state=\"RUNNING\"} 1");
        String status = getBody("/actuator/pipeline");
        assertThat(status).contains("\"state\":\"RUNNING\"", "\"jobs\":{\"ledger\":", "\"group\":\"" + job("orders").group() + "\"");
    }

    @Test
    void aDrainOfOneJobLeavesTheOthersConsuming() throws Exception {
        assertThat(Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume")).status()).isEqualTo(200);

        Curl.Result drained = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?job=orders&wait=30s"));
        assertThat(drained.status()).as(drained.output()).isEqualTo(200);
        assertThat(drained.body()).contains("\"done\":true", "\"state\":\"STOPPED\"", "\"mode\":\"drain\"", "\"orders\"")
                .doesNotContain("\"refunds\"");
        assertThat(pipelines.pipeline("orders").status().state()).isEqualTo(PipelineState.STOPPED);
        long ordersWritten = pipelines.pipeline("orders").status().totals().written();
        assertThat(getBody("/actuator/pipeline")).as("one job stopped: the process as one is stopped")
                .startsWith("{\"state\":\"STOPPED\"");
        assertThat(getBody("/actuator/health/readiness")).contains("OUT_OF_SERVICE");

        TotalsJob.send(traffic, job("orders").topic(), 3, 2_000, 10, expected.get("orders"));
        TotalsJob.send(traffic, job("refunds").topic(), 4, 2_000, 10, expected.get("refunds"));
        awaitCaughtUp("refunds");
        assertExact("refunds", REFUNDS_TABLE);
        assertThat(pipelines.pipeline("ledger").status().state()).isEqualTo(PipelineState.RUNNING);
        assertThat(pipelines.pipeline("orders").status().totals().written()).as("the drained job consumed nothing more")
                .isEqualTo(ordersWritten);
        assertThat(ConsumerLag.of(bootstrapServers(), job("orders").group(), job("orders").topic())).isEqualTo(2_000);

        Curl.Result unknown = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?job=nosuch"));
        assertThat(unknown.status()).as(unknown.output()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown job 'nosuch'", "ledger", "orders", "refunds");

        Curl.Result resumed = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume?job=orders"));
        assertThat(resumed.status()).as(resumed.output()).isEqualTo(200);
        awaitCaughtUp("orders");
        assertExact("orders", ORDERS_TABLE);
        assertThat(getBody("/actuator/pipeline")).startsWith("{\"state\":\"RUNNING\"");

        Curl.Result all = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?wait=30s"));
        assertThat(all.status()).as(all.output()).isEqualTo(200);
        assertThat(pipelines.all()).allSatisfy(job -> assertThat(job.pipeline().status().state()).isEqualTo(PipelineState.STOPPED));
    }

    @Test
    void aJobsDeadLettersAreCountedAndReplayedOnItsOwnTopics() throws Exception {
        traffic.send(job("orders").topic(), "poison-orders", "twelve".getBytes(StandardCharsets.US_ASCII));
        traffic.flush();
        assertThat(Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume?job=orders")).status()).isEqualTo(200);
        awaitCaughtUp("orders");
        int letters = DeadLetterReader.readAll(bootstrapServers(), job("orders").deadLetterTopic()).size();
        assertThat(letters).isPositive();

        Curl.Result counted = Curl.call("-u", CREDENTIALS, url("/actuator/deadletters?job=orders"));
        assertThat(counted.status()).as(counted.output()).isEqualTo(200);
        assertThat(counted.body()).contains("\"deadLetterTopic\":\"" + job("orders").deadLetterTopic() + "\"",
                "\"sourceTopic\":\"" + job("orders").topic() + "\"", "\"matched\":" + letters + ",");

        Curl.Result unknown = Curl.call("-u", CREDENTIALS, url("/actuator/deadletters?job=nosuch"));
        assertThat(unknown.status()).as(unknown.output()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown job 'nosuch'");
    }

    private Job<?> job(String name) {
        return pipelines.find(name).orElseThrow().job();
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private void awaitCaughtUp(String... jobs) {
        for (String name : jobs) {
            Job<?> job = job(name);
            await(Duration.ofMinutes(2)).until(() -> ConsumerLag.of(bootstrapServers(), job.group(), job.topic()) == 0);
        }
    }

    private void assertExact(String job, String table) {
        Map<String, long[]> actual = TotalsJob.stored(jdbc, table);
        assertThat(actual.keySet()).as(job).isEqualTo(expected.get(job).keySet());
        expected.get(job).forEach((key, sums) -> assertThat(actual.get(key)).as("%s: %s", job, key).containsExactly(sums));
    }

    private void assertDeadLetters(String name, String key, int count) {
        Job<?> job = job(name);
        List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), job.deadLetterTopic());
        assertThat(letters).as(job.deadLetterTopic()).hasSize(count).allSatisfy(letter -> {
            assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo(key);
            assertThat(letter.reason()).isEqualTo("malformed");
            assertThat(letter.headers()).containsEntry("sluice.source.topic", job.topic())
                    .containsEntry("sluice.source.group", job.group());
        });
    }

    private double written(String job) {
        return registry.get("sluice.records").tag("job", job).tag("outcome", "written").counter().count();
    }
}
