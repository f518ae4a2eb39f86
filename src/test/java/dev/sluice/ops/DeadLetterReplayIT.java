package dev.sluice.ops;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.DeadLetterReplay;
import dev.sluice.kafka.ReplayFilter;
import dev.sluice.kafka.ReplayJournal;
import dev.sluice.kafka.ReplayProperties;
import dev.sluice.kafka.ReplayReport;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentGenerator.Generated;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.OversizedRecords;
import dev.sluice.testinfra.LedgerAssertions;
import dev.sluice.testinfra.TopicReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Dead letters an operator can act on, end to end on the real broker and database: a payment the
 * process step refuses (its account is not onboarded yet) is dead-lettered with its original
 * headers and timestamp and the full header contract; once the cause is fixed, the documented
 * replay commands (sent as curl sends them) count it, send it back once, and the ledger is exact.
 * A truncated dead letter is never sent back as if it were the original, and no source record is
 * sent back twice, whatever the runs. The tests share the topics: the first counts the whole
 * dead-letter topic, the later ones select their own letters by {@code since}.
 */
@Import(DeadLetterReplayIT.Onboarding.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeadLetterReplayIT extends IntegrationTest {

    private static final String PASSWORD = "test-ops-secret";
    private static final AtomicBoolean ONBOARDED = new AtomicBoolean();
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @Autowired
    DeadLetterReplay replay;
    @Autowired
    ReplayJournal journal;
    @Autowired
    ConsumerFactory<?, ?> consumerFactory;
    @Autowired
    ProducerFactory<?, ?> producerFactory;
    @Autowired
    SourceProperties sourceProperties;
    @Autowired
    ReplayProperties replayProperties;

    /** The "cause": payments of accounts named {@code *-new-*} fail until they are onboarded. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Onboarding {
        @Bean
        ProcessStep<Payment> onboardingCheck() {
            return payment -> {
                if (payment.account().contains("-new-") && !ONBOARDED.get()) {
                    throw new IllegalStateException("account " + payment.account() + " is not onboarded");
                }
                return payment;
            };
        }
    }

    @Test
    @Order(1)
    void refusedPaymentsAreDeadLetteredWithTheirHeadersAndReplayedOnceAfterTheFixLeavingTheLedgerExact() throws Exception {
        ONBOARDED.set(false);
        traffic.createTopics(2, topicName(), deadLetterTopic());
        String prefix = prefix("replay");
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 20)), 300,
                new ExpectedLedger());
        long originalTimestamp = Instant.parse("2026-11-29T10:00:00Z").toEpochMilli();
        List<Generated> refused = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 12; i++) {
                String account = prefix + "-new-" + (i % 3);
                Payment payment = new Payment(prefix + "-late-" + i, account, 100 + i, "EUR", Instant.parse("2026-11-29T10:00:00Z"));
                Generated generated = new Generated(account, PaymentGenerator.json(payment), payment, false, null);
                refused.add(generated);
                RecordHeaders headers = new RecordHeaders();
                headers.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
                headers.add("x-origin", ("checkout-" + i).getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(topicName(), null, originalTimestamp, utf8(account), generated.value(), headers)).get();
            }
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topicName(), utf8(prefix + "-junk"), utf8("not a payment " + i))).get();
            }
        }

        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));

        List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
        assertThat(letters).hasSize(15);
        List<DeadLetter> refusedLetters = letters.stream().filter(l -> "process".equals(l.headers().get("sluice.error.stage"))).toList();
        assertThat(refusedLetters).hasSize(12).allSatisfy(letter -> assertThat(letter.headers())
                .containsEntry("sluice.error.reason", "invalid")
                .containsEntry("sluice.error.exception", "java.lang.IllegalStateException")
                .containsEntry("sluice.error.attempts", "1")
                .containsEntry("sluice.source.topic", topicName())
                .containsEntry("sluice.source.group", group())
                .containsEntry("sluice.source.timestamp", Long.toString(originalTimestamp))
                .containsEntry("traceparent", TRACEPARENT)
                .containsKeys("sluice.error.detail", "sluice.source.partition", "sluice.source.offset", "x-origin"));
        assertThat(letters).filteredOn(l -> "malformed".equals(l.reason())).hasSize(3).allSatisfy(letter -> assertThat(letter.headers())
                .containsEntry("sluice.error.stage", "decode")
                .doesNotContainKey("sluice.error.exception"));
        assertThat(LedgerAssertions.storedPayments(jdbc, prefix + "-new-")).as("refused payments not stored yet").isZero();

        // a second dead letter of one source record, as a redelivery after a crash leaves it
        DeadLetter copy = refusedLetters.getFirst();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            RecordHeaders headers = new RecordHeaders();
            copy.headers().forEach((key, value) -> headers.add(key, utf8(value)));
            producer.send(new ProducerRecord<>(deadLetterTopic(), null, copy.key(), copy.value(), headers)).get();
        }

        assertThat(Curl.call(url("/actuator/deadletters?reason=invalid")).status()).as("dead letters need the ops credentials").isEqualTo(401);
        assertThat(Curl.call("-X", "POST", url("/actuator/deadletters/replay?reason=invalid")).status()).isEqualTo(401);
        assertThat(Curl.call("-u", "ops:" + PASSWORD, url("/actuator/deadletters?reason=typo")).status()).isEqualTo(400);
        assertThat(Curl.call("-u", "ops:" + PASSWORD, url("/actuator/deadletters?fromOffset=9&toOffset=3")).status()).isEqualTo(400);
        assertThat(Curl.call("-u", "ops:" + PASSWORD, url("/actuator/deadletters?since=yesterday")).status()).isEqualTo(400);

        // each filter, counted by dry runs against what the dead letters say about themselves
        int somePartition = Integer.parseInt(refusedLetters.getFirst().headers().get("sluice.source.partition"));
        long inPartition = refusedLetters.stream().filter(l -> l.headers().get("sluice.source.partition").equals(Integer.toString(somePartition))).count();
        assertThat(dryRun("reason=invalid&partition=" + somePartition).get("replayed").asLong()).isEqualTo(inPartition);
        List<Long> offsets = refusedLetters.stream().filter(l -> l.headers().get("sluice.source.partition").equals(Integer.toString(somePartition)))
                .map(l -> Long.parseLong(l.headers().get("sluice.source.offset"))).sorted().toList();
        long lowest = offsets.getFirst();
        long offsetsUpTo = offsets.get(Math.min(1, offsets.size() - 1));
        long inRange = offsets.stream().filter(o -> o >= lowest && o <= offsetsUpTo).count();
        assertThat(inRange).isPositive().isLessThanOrEqualTo(2);
        assertThat(dryRun("reason=invalid&partition=" + somePartition + "&fromOffset=" + lowest + "&toOffset=" + offsetsUpTo)
                .get("replayed").asLong()).isEqualTo(inRange);
        assertThat(dryRun("reason=malformed").get("replayed").asLong()).isEqualTo(3);
        assertThat(dryRun("reason=malformed,invalid&limit=5").get("replayed").asLong()).isEqualTo(5);
        Instant now = Instant.now();
        assertThat(dryRun("since=" + now.minus(Duration.ofHours(1)) + "&until=" + now.plus(Duration.ofHours(1))).get("replayed").asLong())
                .as("dead-lettered within the last hour").isEqualTo(15);
        assertThat(dryRun("until=" + now.minus(Duration.ofHours(1))).get("replayed").asLong()).isZero();
        Curl.Result postedDryRun = Curl.call("-u", "ops:" + PASSWORD, "-X", "POST", url("/actuator/deadletters/replay?dryRun=true&reason=invalid"));
        assertThat(postedDryRun.status()).as(postedDryRun.body()).isEqualTo(200);
        assertThat(json.readTree(postedDryRun.body()).get("dryRun").asBoolean()).isTrue();

        ONBOARDED.set(true);
        // the documented replay lines, verbatim apart from host, port and password: dry runs first, the replay last
        List<String> lines = replayCurlLines();
        assertThat(lines).as("curl lines of docs/OPERATIONS.md 'Dead letters'").hasSizeGreaterThanOrEqualTo(2)
                .allMatch(line -> line.contains(ReadmeOperatingIT.PRINTED_ADDRESS) && line.contains("$SLUICE_OPS_PASSWORD"))
                .anyMatch(line -> line.contains("-X POST") && line.contains("/actuator/deadletters/replay?") && !line.contains("dryRun")
                        && !line.contains("Content-Type") && !line.contains(" -d "));
        JsonNode report = null;
        for (String line : lines) {
            Curl.Result result = Curl.shell(line.replace(ReadmeOperatingIT.PRINTED_ADDRESS, "localhost:" + port),
                    Map.of("SLUICE_OPS_PASSWORD", PASSWORD));
            assertThat(result.exitCode()).as(line + "\n" + result.output()).isZero();
            JsonNode answer = json.readTree(result.output());
            assertThat(answer.get("complete").asBoolean()).as(line).isTrue();
            assertThat(answer.get("failed").asLong()).as(line).isZero();
            if (answer.get("dryRun").asBoolean()) {
                assertThat(ledgerRows(prefix)).as("a dry run sends nothing: " + line).isEqualTo(expected.distinctValid());
                if (line.contains("?reason=invalid'")) {
                    assertThat(answer.get("scanned").asLong()).as(line).isEqualTo(16);
                    assertThat(answer.get("matched").asLong()).as(line).isEqualTo(13);
                    assertThat(answer.get("replayed").asLong()).as(line).isEqualTo(12);
                    assertThat(answer.get("duplicates").asLong()).as(line).isEqualTo(1);
                    assertThat(answer.get("byReason").get("invalid").asLong()).as(line).isEqualTo(12);
                }
            } else {
                assertThat(report).as("one replay line").isNull();
                report = answer;
            }
        }
        assertThat(report).as("the README replays").isNotNull();
        assertThat(report.get("replayed").asLong()).isEqualTo(12);
        assertThat(report.get("duplicates").asLong()).isEqualTo(1);
        assertThat(report.get("byReason").get("invalid").asLong()).isEqualTo(12);

        refused.forEach(expected::add);
        awaitNoLag(Duration.ofSeconds(60));
        assertInvariant(jdbc, prefix, expected);
        assertThat(DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic())).as("nothing dead-lettered again").hasSize(16);
        AtomicInteger marked = new AtomicInteger();
        TopicReader.readAll(bootstrapServers(), topicName(), Duration.ofSeconds(30), record -> {
            if (record.headers().lastHeader("sluice.replay.of") != null) {
                marked.incrementAndGet();
                assertThat(record.headers().lastHeader("sluice.replay.run")).isNotNull();
                assertThat(record.headers().lastHeader("x-origin")).as("original headers restored").isNotNull();
                assertThat(record.headers().lastHeader("sluice.error.reason")).isNull();
            }
        });
        assertThat(marked.get()).as("each refused payment replayed exactly once").isEqualTo(12);
    }

    @Test
    @Order(2)
    void truncatedDeadLettersAreSkippedAndCounted() throws Exception {
        traffic.createTopics(2, topicName(), deadLetterTopic());
        pipeline.resume();
        Instant start = Instant.now();
        String prefix = prefix("truncated");
        // above sluice.payments.max-value-size (malformed), and too large for the dead-letter producer
        // uncompressed: its dead letter is a truncated copy, not the original
        byte[] hugeValue = OversizedRecords.hugePayment(prefix + "-huge");
        try (KafkaProducer<byte[], byte[]> gzip = OversizedRecords.gzipProducer(bootstrapServers())) {
            gzip.send(new ProducerRecord<>(topicName(), utf8(prefix + "-acc"), hugeValue)).get();
            for (int i = 0; i < 2; i++) {
                gzip.send(new ProducerRecord<>(topicName(), utf8(prefix + "-junk"), utf8("not a payment " + i))).get();
            }
        }
        awaitNoLag(Duration.ofSeconds(60));
        List<DeadLetter> ours = lettersSince(start);
        assertThat(ours).hasSize(3).filteredOn(l -> l.headers().containsKey("sluice.error.truncated")).hasSize(1);

        String filter = "reason=malformed&since=" + start;
        JsonNode counted = dryRun(filter);
        assertThat(counted.get("matched").asLong()).isEqualTo(3);
        assertThat(counted.get("replayed").asLong()).as("a dry run counts only the originals").isEqualTo(2);
        assertThat(counted.path("skippedTruncated").asLong(-1)).isEqualTo(1);

        JsonNode report = replay(filter);
        assertThat(report.get("replayed").asLong()).as("the truncated copy is not sent back").isEqualTo(2);
        assertThat(report.path("skippedTruncated").asLong(-1)).isEqualTo(1);
        assertThat(report.get("failed").asLong()).isZero();
        String run = report.get("run").asString();
        List<Integer> sentSizes = new ArrayList<>();
        TopicReader.readAll(bootstrapServers(), topicName(), Duration.ofSeconds(30), record -> {
            var header = record.headers().lastHeader("sluice.replay.run");
            if (header != null && run.equals(new String(header.value(), StandardCharsets.UTF_8))) {
                sentSizes.add(record.value().length);
            }
        });
        assertThat(sentSizes).as("the two junk originals, nothing cut to sluice.source.dead-letter-truncate-to")
                .containsExactlyInAnyOrder("not a payment 0".length(), "not a payment 1".length());
        awaitNoLag(Duration.ofSeconds(60));
    }

    @Test
    @Order(3)
    void aLetterIsNeverReplayedTwiceAcrossRuns() throws Exception {
        Instant start = Instant.now();
        String prefix = prefix("twice");
        ExpectedLedger expected = new ExpectedLedger();
        List<Generated> refused = deadLetteredThenOnboarded(prefix, start, 5, 5, 500);

        String filter = "reason=invalid&since=" + start;
        JsonNode first = replay(filter);
        assertThat(first.get("replayed").asLong()).isEqualTo(5);
        awaitNoLag(Duration.ofSeconds(60));

        // a second dead letter of one source record (a redelivery after a crash), published after the first run
        Instant copiedAt = Instant.now();
        DeadLetter copy = lettersSince(start).getFirst();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            RecordHeaders headers = new RecordHeaders();
            copy.headers().forEach((key, value) -> headers.add(key, utf8(value)));
            producer.send(new ProducerRecord<>(deadLetterTopic(), null, copy.key(), copy.value(), headers)).get();
        }

        JsonNode dry = dryRun(filter);
        assertThat(dry.get("replayed").asLong()).as("a dry run sees the journal too").isZero();
        JsonNode second = replay(filter);
        assertThat(second.get("replayed").asLong()).as("the second run re-publishes nothing").isZero();
        assertThat(second.path("skippedAlreadyReplayed").asLong(-1)).isEqualTo(5);
        assertThat(first.path("skippedAlreadyReplayed").asLong(-1)).isZero();
        assertThat(second.get("duplicates").asLong()).as("the copy, behind its original in this run").isEqualTo(1);
        JsonNode third = replay("reason=invalid&since=" + copiedAt);
        assertThat(third.get("matched").asLong()).as("only the copy").isEqualTo(1);
        assertThat(third.get("replayed").asLong()).isZero();
        assertThat(third.path("skippedAlreadyReplayed").asLong(-1)).as("its source record was replayed by the first run").isEqualTo(1);

        awaitNoLag(Duration.ofSeconds(60));
        refused.forEach(expected::add);
        assertInvariant(jdbc, prefix, expected);
        List<Map<String, Object>> applied = jdbc.queryForList(
                "SELECT payment_id, outcome FROM sluice.payment_journal WHERE payment_id LIKE ?", prefix + "%");
        assertThat(applied).as("each payment applied once: a non-idempotent job would have seen it once")
                .hasSize(5).allSatisfy(row -> assertThat(row).containsEntry("outcome", "written"));
        AtomicInteger sentBack = new AtomicInteger();
        TopicReader.readAll(bootstrapServers(), topicName(), Duration.ofSeconds(30), record -> {
            if (record.headers().lastHeader("sluice.replay.of") != null
                    && new String(record.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                sentBack.incrementAndGet();
            }
        });
        assertThat(sentBack.get()).as("originals on the source topic re-published by any run").isEqualTo(5);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sluice.sluice_replay_journal WHERE run = ? AND status = 'sent'",
                Long.class, first.get("run").asString())).isEqualTo(5);
    }

    @Test
    @Order(4)
    void aReplayWhileAnotherPodReplaysIsRefusedAndNothingIsSentTwiceAfterwards() throws Exception {
        Instant start = Instant.now();
        String prefix = prefix("pods");
        List<Generated> refused = deadLetteredThenOnboarded(prefix, start, 40, 4, 700);
        String filter = "reason=invalid&since=" + start;

        // another pod's replay, mid-run: it holds the cluster-wide lock in PostgreSQL
        DeadLetterReplay otherPod = new DeadLetterReplay(consumerFactory, producerFactory, sourceProperties, replayProperties, journal);
        try (ReplayJournal.Exclusive held = journal.exclusive(deadLetterTopic())) {
            assertThat(held).isNotNull();
            Curl.Result refusedNow = Curl.call("-u", "ops:" + PASSWORD, "-X", "POST", url("/actuator/deadletters/replay?" + filter));
            assertThat(refusedNow.status()).as(refusedNow.body()).isEqualTo(409);
            assertThat(refusedNow.body()).contains("another pod");
            assertThat(dryRun(filter).get("replayed").asLong()).as("a dry run needs no lock").isEqualTo(40);
        }

        ReplayReport b = otherPod.replay(new ReplayFilter(Set.of(RejectReason.INVALID), null, null, null, start, null, null), false);
        assertThat(b.replayed()).as("the other pod, once the lock is free").isEqualTo(40);
        JsonNode a = replay(filter);
        assertThat(a.get("replayed").asLong()).as("this pod afterwards").isZero();
        assertThat(a.get("skippedAlreadyReplayed").asLong()).isEqualTo(40);

        awaitNoLag(Duration.ofSeconds(60));
        ExpectedLedger expected = new ExpectedLedger();
        refused.forEach(expected::add);
        assertInvariant(jdbc, prefix, expected);
        AtomicInteger sentBack = new AtomicInteger();
        TopicReader.readAll(bootstrapServers(), topicName(), Duration.ofSeconds(30), record -> {
            if (record.headers().lastHeader("sluice.replay.of") != null
                    && new String(record.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                sentBack.incrementAndGet();
            }
        });
        assertThat(sentBack.get()).isEqualTo(40);
    }

    @Test
    @Order(5)
    void aReplayWithoutAFilterNeedsAllTrue() throws Exception {
        Curl.Result bare = Curl.call("-u", "ops:" + PASSWORD, "-X", "POST", url("/actuator/deadletters/replay"));
        assertThat(bare.status()).as(bare.body()).isEqualTo(400);
        assertThat(bare.body()).contains("all=true");

        Curl.Result counted = Curl.call("-u", "ops:" + PASSWORD, "-X", "POST", url("/actuator/deadletters/replay?dryRun=true"));
        assertThat(counted.status()).as("a dry run of everything is only a count").isEqualTo(200);
        JsonNode all = replay("all=true");
        assertThat(all.get("skippedAlreadyReplayed").asLong()).as("everything was replayed by the earlier tests").isPositive();
    }

    /**
     * {@code count} payments of {@code accounts} accounts not onboarded yet, all dead-lettered as
     * invalid; then the accounts are onboarded (the fix), so a replay of them is written.
     */
    private List<Generated> deadLetteredThenOnboarded(String prefix, Instant start, int count, int accounts, long firstAmount)
            throws Exception {
        ONBOARDED.set(false);
        traffic.createTopics(2, topicName(), deadLetterTopic());
        pipeline.resume();
        List<Generated> refused = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < count; i++) {
                String account = prefix + "-new-" + (i % accounts);
                Payment payment = new Payment(prefix + "-p-" + i, account, firstAmount + i, "EUR", Instant.parse("2026-11-29T10:00:00Z"));
                refused.add(new Generated(account, PaymentGenerator.json(payment), payment, false, null));
                producer.send(new ProducerRecord<>(topicName(), utf8(account), PaymentGenerator.json(payment))).get();
            }
        }
        awaitNoLag(Duration.ofSeconds(60));
        assertThat(lettersSince(start)).hasSize(count);
        ONBOARDED.set(true);
        return refused;
    }

    private List<DeadLetter> lettersSince(Instant start) {
        // dead letters of the later tests: their source records were produced after start
        return DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic()).stream()
                .filter(l -> Long.parseLong(l.headers().getOrDefault("sluice.source.timestamp", "0")) >= start.toEpochMilli())
                .toList();
    }

    private JsonNode replay(String query) throws Exception {
        Curl.Result result = Curl.call("-u", "ops:" + PASSWORD, "-X", "POST", url("/actuator/deadletters/replay?" + query));
        assertThat(result.status()).as(query + ": " + result.body()).isEqualTo(200);
        JsonNode answer = json.readTree(result.body());
        assertThat(answer.get("dryRun").asBoolean()).isFalse();
        assertThat(answer.get("complete").asBoolean()).isTrue();
        return answer;
    }

    private JsonNode dryRun(String query) throws Exception {
        Curl.Result result = Curl.call("-u", "ops:" + PASSWORD, url("/actuator/deadletters?" + query));
        assertThat(result.status()).as(query + ": " + result.body()).isEqualTo(200);
        JsonNode answer = json.readTree(result.body());
        assertThat(answer.get("dryRun").asBoolean()).isTrue();
        return answer;
    }

    /** The lines starting with {@code curl} in the first sh block of docs/OPERATIONS.md "## Dead letters: …". */
    static List<String> replayCurlLines() throws IOException {
        return Curl.documentedLines(Path.of("docs/OPERATIONS.md"), "## Dead letters: what they carry, and replaying them");
    }

    private long ledgerRows(String prefix) {
        return LedgerAssertions.storedPayments(jdbc, prefix);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
