package dev.sluice.jobs;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.Job;
import dev.sluice.engine.JobPipeline;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Two declarative jobs, defined in an extra YAML file as a user adds one
 * ({@code spring.config.additional-location}, what {@code SPRING_CONFIG_ADDITIONALLOCATION} sets),
 * beside the ledger in one process, end to end through the real broker, the engine and
 * PostgreSQL. The user's tables exist in schema {@code shop} before the context starts, as they do
 * in a user's database (not {@code public}: Flyway refuses a non-empty {@code public} without its
 * history table until Sluice's own tables have a schema of their own).
 */
@TestPropertySource(properties = "spring.config.additional-location=classpath:dev/sluice/jobs/declarative-it.yml")
class DeclarativeJobIT extends IntegrationTest {

    private static final String CREDENTIALS = "ops:test-ops-secret";
    private static final String ORDERS = "decl-orders";
    private static final String EVENTS = "decl-events";

    static {
        UserTables.create("CREATE SCHEMA IF NOT EXISTS shop", "DROP TABLE IF EXISTS shop.decl_orders, shop.decl_events", """
                CREATE TABLE shop.decl_orders (
                    id text PRIMARY KEY,
                    customer text NOT NULL,
                    amount numeric(10,2),
                    qty integer CHECK (qty >= 0),
                    updated_at timestamptz)
                """, """
                CREATE TABLE shop.decl_events (
                    id text PRIMARY KEY,
                    body jsonb NOT NULL,
                    source_partition integer NOT NULL,
                    source_offset bigint NOT NULL)
                """);
    }

    @Autowired
    MeterRegistry registry;

    @BeforeEach
    void topics() {
        traffic.createTopics(4, topicName(), deadLetterTopic());
        for (String name : List.of(ORDERS, EVENTS)) {
            traffic.createTopics(4, job(name).topic(), job(name).deadLetterTopic());
        }
    }

    @Test
    void anUpsertAppliesNewerVersionsSkipsAndCountsStaleOnesDeletesOnTombstonesAndKeepsEachKeysOrder() throws Exception {
        resume("");
        double staleBefore = stale();
        send(ORDERS, "up-a", order("ann", "10.50", 1, 10));
        send(ORDERS, "up-b", order("bob", "3", 1, 10));
        send(ORDERS, "up-c", order("carl", "1", 1, 10));
        traffic.flush();
        awaitCaughtUp(ORDERS);
        assertThat(rows("up-")).containsOnlyKeys("up-a", "up-b", "up-c");

        send(ORDERS, "up-a", order("older", "99", 1, 9));
        send(ORDERS, "up-a", order("same", "98", 1, 10));
        send(ORDERS, "up-b", null);
        send(ORDERS, "up-c", order("cleo", "2", 1, 11));
        send(ORDERS, "up-c", null);
        send(ORDERS, "up-c", order("cora", "4.25", 2, 12));
        traffic.flush();
        awaitCaughtUp(ORDERS);

        assertThat(rows("up-")).as("a stale re-send leaves the newer row; the tombstone deletes; update, delete, update ends with the row")
                .isEqualTo(Map.of("up-a", "ann|10.50|1", "up-c", "cora|4.25|2"));
        assertThat(stale() - staleBefore).as("sluice.job.stale{job=decl-orders}").isEqualTo(2);
        assertThat(getBody("/actuator/prometheus")).contains("sluice_job_stale_total{application=\"sluice\",job=\"" + ORDERS + "\"} ");
        assertThat(DeadLetterReader.readAll(bootstrapServers(), job(ORDERS).deadLetterTopic())).filteredOn(letter -> key(letter).startsWith("up-"))
                .isEmpty();
    }

    @Test
    void poisonIsDeadLetteredWithItsReasonWhileTheRestOfTheBatchIsWritten() throws Exception {
        resume("");
        send(ORDERS, "poison-array", "[1,2]");
        send(ORDERS, "poison-convert", "{\"customer\":{\"name\":\"x\"},\"amount\":\"abc\",\"updatedAt\":1}");
        send(ORDERS, "poison-scale", "{\"customer\":{\"name\":\"x\"},\"amount\":1.234,\"updatedAt\":1}");
        send(ORDERS, "poison-missing", "{\"amount\":1,\"updatedAt\":1}");
        send(ORDERS, "poison-check", "{\"customer\":{\"name\":\"x\"},\"qty\":-1,\"updatedAt\":1}");
        for (int i = 0; i < 20; i++) {
            send(ORDERS, "good-" + i, order("g" + i, i + ".5", i, 10));
        }
        traffic.flush();
        awaitCaughtUp(ORDERS);

        assertThat(rows("good-")).hasSize(20).containsEntry("good-7", "g7|7.50|7");
        assertThat(rows("poison-")).isEmpty();
        Map<String, DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), job(ORDERS).deadLetterTopic()).stream()
                .filter(letter -> key(letter).startsWith("poison-"))
                .collect(Collectors.toMap(DeclarativeJobIT::key, letter -> letter));
        assertThat(letters).containsOnlyKeys("poison-array", "poison-convert", "poison-scale", "poison-missing", "poison-check");
        assertLetter(letters.get("poison-array"), "malformed", "not a JSON object");
        assertLetter(letters.get("poison-convert"), "invalid", "column amount (/amount)");
        assertLetter(letters.get("poison-scale"), "invalid", "3 decimal places");
        assertLetter(letters.get("poison-missing"), "invalid", "customer");
        assertLetter(letters.get("poison-check"), "invalid", "SQLState 23514");
        assertThat(letters.get("poison-check").headers().get("sluice.error.detail")).contains("decl_orders_qty_check");
    }

    @Test
    void theStatusShowsEachJobAndADrainOfOneLeavesTheOthersConsuming() throws Exception {
        assertThat(pipelines.all()).extracting(JobPipeline::name).containsExactlyInAnyOrder("ledger", EVENTS, ORDERS);
        resume("");
        assertThat(getBody("/actuator/pipeline")).contains("\"" + ORDERS + "\":", "\"" + EVENTS + "\":",
                "\"group\":\"" + ORDERS + "\"", "\"group\":\"decl-events-sink\"");

        Curl.Result drained = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?job=" + ORDERS + "&wait=30s"));
        assertThat(drained.status()).as(drained.output()).isEqualTo(200);
        assertThat(drained.body()).contains("\"done\":true", "\"" + ORDERS + "\"").doesNotContain("\"" + EVENTS + "\"");
        assertThat(pipelines.pipeline(ORDERS).status().state()).isEqualTo(PipelineState.STOPPED);

        send(ORDERS, "drained-1", order("d", "1", 1, 10));
        send(EVENTS, "drained-e1", "{\"body\":{\"n\":1}}");
        traffic.flush();
        awaitCaughtUp(EVENTS);
        assertThat(pipelines.pipeline(EVENTS).status().state()).isEqualTo(PipelineState.RUNNING);
        assertThat(pipelines.pipeline("ledger").status().state()).isEqualTo(PipelineState.RUNNING);
        assertThat(events("drained-")).isEqualTo(1);
        assertThat(ConsumerLag.of(bootstrapServers(), job(ORDERS).group(), job(ORDERS).topic())).as("the drained job read nothing more")
                .isEqualTo(1);
        assertThat(rows("drained-")).isEmpty();

        resume("?job=" + ORDERS);
        awaitCaughtUp(ORDERS);
        assertThat(rows("drained-")).containsOnlyKeys("drained-1");
    }

    @Test
    void twoDeclarativeJobsAndTheLedgerInOneProcessAreEachExactWithTheirOwnGroupAndDeadLetters() throws Exception {
        assertThat(pipelines.all()).extracting(pipeline -> pipeline.job().group()).doesNotHaveDuplicates();
        assertThat(pipelines.all()).extracting(pipeline -> pipeline.job().deadLetterTopic()).doesNotHaveDuplicates();
        String prefix = prefix("decl");
        ExpectedLedger ledger = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 100)
                .withDuplicates(0.05)), 3_000, new ExpectedLedger());
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            String key = "many-" + (i % 150);
            send(ORDERS, key, order("c" + i, Integer.toString(i), i, 1_000 + i));
            expected.put(key, "c" + i + "|" + i + ".00|" + i);
        }
        for (int i = 0; i < 3_000; i++) {
            send(EVENTS, "many-" + i, "{\"body\":{\"n\":" + i + "}}");
        }
        traffic.flush();
        resume("");
        awaitCaughtUp("ledger", ORDERS, EVENTS);

        assertInvariant(jdbc, prefix, ledger);
        assertThat(rows("many-")).isEqualTo(expected);
        assertThat(events("many-")).isEqualTo(3_000);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM shop.decl_events WHERE id LIKE 'many-%' AND (body->>'n')::int <> "
                + "substring(id from 6)::int", Long.class)).as("each event's body in its key's row").isZero();
        assertThat(DeadLetterReader.readAll(bootstrapServers(), job(EVENTS).deadLetterTopic())).as("no insert conflict: nothing applied twice")
                .isEmpty();
    }

    @Test
    void anAbortMidRunAndAResumeRedeliverWithoutApplyingAnyRecordTwice() throws Exception {
        int count = 20_000;
        for (int i = 0; i < count; i++) {
            send(EVENTS, "abort-" + i, "{\"body\":{\"n\":" + i + "}}");
        }
        traffic.flush();
        resume("?job=" + EVENTS);
        await(Duration.ofMinutes(1)).until(() -> events("abort-") > 0);
        Curl.Result aborted = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/abort?job=" + EVENTS + "&wait=30s"));
        assertThat(aborted.status()).as(aborted.output()).isEqualTo(200);
        assertThat(pipelines.pipeline(EVENTS).status().state()).isEqualTo(PipelineState.STOPPED);
        long atAbort = events("abort-");
        assertThat(atAbort).as("the abort came mid-run (else nothing is redelivered)").isLessThan(count);

        resume("?job=" + EVENTS);
        awaitCaughtUp(EVENTS);
        assertThat(events("abort-")).isEqualTo(count);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT (source_partition, source_offset)) FROM shop.decl_events WHERE id LIKE 'abort-%'", Long.class))
                .isEqualTo(count);
        assertThat(DeadLetterReader.readAll(bootstrapServers(), job(EVENTS).deadLetterTopic()))
                .as("a record applied twice is an insert conflict, dead-lettered").isEmpty();
    }

    private static String order(String customer, String amount, int qty, long updatedAtSeconds) {
        return "{\"customer\":{\"name\":\"" + customer + "\"},\"amount\":" + amount + ",\"qty\":" + qty + ",\"updatedAt\":\""
                + Instant.ofEpochSecond(1_767_225_600L + updatedAtSeconds) + "\"}";
    }

    private void send(String job, String key, String value) {
        traffic.send(job(job).topic(), key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The orders whose id starts with {@code prefix}: id to {@code customer|amount|qty}. */
    private Map<String, String> rows(String prefix) {
        Map<String, String> rows = new HashMap<>();
        jdbc.query("SELECT id, customer || '|' || amount::text || '|' || qty AS r FROM shop.decl_orders WHERE id LIKE ?",
                result -> {
                    rows.put(result.getString("id"), result.getString("r"));
                }, prefix + "%");
        return rows;
    }

    private long events(String prefix) {
        return jdbc.queryForObject("SELECT count(*) FROM shop.decl_events WHERE id LIKE ?", Long.class, prefix + "%");
    }

    private double stale() {
        return registry.get("sluice.job.stale").tag("job", ORDERS).counter().count();
    }

    private static String key(DeadLetter letter) {
        return new String(letter.key(), StandardCharsets.UTF_8);
    }

    private void assertLetter(DeadLetter letter, String reason, String detail) {
        assertThat(letter.reason()).isEqualTo(reason);
        assertThat(letter.headers()).containsEntry("sluice.source.topic", job(ORDERS).topic())
                .containsEntry("sluice.source.group", job(ORDERS).group()).containsKeys("sluice.source.offset", "sluice.error.stage");
        assertThat(letter.headers().get("sluice.error.detail")).contains(detail);
    }

    private Job<?> job(String name) {
        return pipelines.find(name).orElseThrow().job();
    }

    private void resume(String query) throws Exception {
        Curl.Result resumed = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume" + query));
        assertThat(resumed.status()).as(resumed.output()).isEqualTo(200);
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
}
