package dev.sluice.payments;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator.Generated;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A corpus of poison records mixed into valid traffic: each one lands on the dead-letter topic
 * with the expected reason and its original bytes, the pipeline neither crashes nor stalls, and
 * the ledger is exact for the valid records (hand-made edge cases included, stored verbatim).
 */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=2000", "sluice.batch.max-size=200"})
class PoisonCorpusIT extends IntegrationTest {

    /** One hand-made record: a unique key to find its dead letter, its value, and the reason expected. */
    record Poison(String kind, String key, byte[] value, RejectReason reason) {
    }

    private static final String AT = "2026-11-29T10:00:00Z";

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String payment(String id, String account, String amount, String currency, String at) {
        return "{\"paymentId\":" + id + ",\"account\":" + account + ",\"amountCents\":" + amount + ",\"currency\":" + currency
                + ",\"occurredAt\":" + at + "}";
    }

    private static String q(String text) {
        return "\"" + text + "\"";
    }

    private static byte[] withBytes(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(before));
        out.writeBytes(middle);
        out.writeBytes(utf8(after));
        return out.toByteArray();
    }

    /** At least 25 distinct kinds of poison; ids and accounts under {@code prefix} so nothing could hide in the ledger. */
    private static List<Poison> corpus(String prefix) {
        String acc = q(prefix + "-acc-1");
        Map<String, Object[]> kinds = new LinkedHashMap<>();
        Function<String, String> id = kind -> q(prefix + "-poison-" + kind);
        kinds.put("truncated", new Object[] {utf8("{\"paymentId\":" + id.apply("truncated") + ",\"account\":"), RejectReason.MALFORMED});
        kinds.put("not-json", new Object[] {utf8("payment pay-1 for acc-1: 19.99 EUR"), RejectReason.MALFORMED});
        kinds.put("empty", new Object[] {new byte[0], RejectReason.MALFORMED});
        kinds.put("tombstone", new Object[] {null, RejectReason.MALFORMED});
        kinds.put("non-utf8", new Object[] {withBytes("{\"paymentId\":\"p", new byte[] {(byte) 0xFF, (byte) 0xFE}, "\"}"), RejectReason.MALFORMED});
        kinds.put("latin1", new Object[] {withBytes(payment(id.apply("latin1"), acc, "100", "\"EUR\"", "\"" + AT + "\"")
                .replace("}", ",\"note\":\"caf"), new byte[] {(byte) 0xE9}, "\"}"), RejectReason.MALFORMED});
        kinds.put("overlong-utf8", new Object[] {withBytes("{\"paymentId\":\"p", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"), RejectReason.MALFORMED});
        kinds.put("bom", new Object[] {withBytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                payment(id.apply("bom"), acc, "100", "\"EUR\"", q(AT))), RejectReason.MALFORMED});
        kinds.put("array", new Object[] {utf8("[" + payment(id.apply("array"), acc, "100", "\"EUR\"", q(AT)) + "]"), RejectReason.MALFORMED});
        kinds.put("trailing", new Object[] {utf8(payment(id.apply("trailing"), acc, "100", "\"EUR\"", q(AT)) + "{}"), RejectReason.MALFORMED});
        kinds.put("duplicate-key", new Object[] {utf8(payment(id.apply("duplicate-key"), acc, "100", "\"EUR\"", q(AT))
                .replace("}", ",\"amountCents\":999999}")), RejectReason.MALFORMED});
        kinds.put("deep-nesting", new Object[] {utf8(payment(id.apply("deep-nesting"), acc, "100", "\"EUR\"", q(AT))
                .replace("}", ",\"meta\":" + "{\"a\":".repeat(500) + "1" + "}".repeat(500) + "}")), RejectReason.MALFORMED});
        kinds.put("number-too-long", new Object[] {utf8(payment(id.apply("number-too-long"), acc, "1" + "0".repeat(100), "\"EUR\"", q(AT))),
            RejectReason.MALFORMED});
        kinds.put("near-broker-limit", new Object[] {utf8(payment(id.apply("near-broker-limit"), acc, "100", "\"EUR\"", q(AT))
                .replace("}", ",\"pad\":\"" + "x".repeat(1_000_000) + "\"}")), RejectReason.MALFORMED});
        kinds.put("amount-string", new Object[] {utf8(payment(id.apply("amount-string"), acc, "\"100\"", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("amount-object", new Object[] {utf8(payment(id.apply("amount-object"), acc, "{\"paymentId\":\"x\"}", "\"EUR\"", q(AT))),
            RejectReason.INVALID});
        kinds.put("missing-currency", new Object[] {utf8(payment(id.apply("missing-currency"), acc, "100", "\"EUR\"", q(AT))
                .replace(",\"currency\":\"EUR\"", "")), RejectReason.INVALID});
        kinds.put("missing-id", new Object[] {utf8(payment(id.apply("missing-id"), acc, "100", "\"EUR\"", q(AT))
                .replaceFirst("\"paymentId\":\"[^\"]*\",", "")), RejectReason.INVALID});
        kinds.put("null-account", new Object[] {utf8(payment(id.apply("null-account"), "null", "100", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("amount-zero", new Object[] {utf8(payment(id.apply("amount-zero"), acc, "0", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("amount-over", new Object[] {utf8(payment(id.apply("amount-over"), acc, "1000000000001", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("amount-long-min", new Object[] {utf8(payment(id.apply("amount-long-min"), acc, Long.toString(Long.MIN_VALUE), "\"EUR\"", q(AT))),
            RejectReason.INVALID});
        kinds.put("amount-huge", new Object[] {utf8(payment(id.apply("amount-huge"), acc, "99999999999999999999999", "\"EUR\"", q(AT))),
            RejectReason.INVALID});
        kinds.put("amount-fraction", new Object[] {utf8(payment(id.apply("amount-fraction"), acc, "12.5", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("amount-whole-float", new Object[] {utf8(payment(id.apply("amount-whole-float"), acc, "1.0", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("amount-exponent", new Object[] {utf8(payment(id.apply("amount-exponent"), acc, "1e3", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("currency-lower", new Object[] {utf8(payment(id.apply("currency-lower"), acc, "100", "\"eur\"", q(AT))), RejectReason.INVALID});
        kinds.put("currency-four", new Object[] {utf8(payment(id.apply("currency-four"), acc, "100", "\"EURO\"", q(AT))), RejectReason.INVALID});
        kinds.put("id-too-long", new Object[] {utf8(payment(q(prefix + "-" + "x".repeat(64)), acc, "100", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("id-space", new Object[] {utf8(payment(q(prefix + "-pay 1"), acc, "100", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("id-sql-injection", new Object[] {utf8(payment(q("x';DROP TABLE payments;--"), acc, "100", "\"EUR\"", q(AT))),
            RejectReason.INVALID});
        kinds.put("account-sql-injection", new Object[] {utf8(payment(id.apply("account-sql-injection"),
                q(prefix + "' OR '1'='1"), "100", "\"EUR\"", q(AT))), RejectReason.INVALID});
        kinds.put("timestamp-words", new Object[] {utf8(payment(id.apply("timestamp-words"), acc, "100", "\"EUR\"", q("yesterday"))),
            RejectReason.INVALID});
        kinds.put("timestamp-no-zone", new Object[] {utf8(payment(id.apply("timestamp-no-zone"), acc, "100", "\"EUR\"", q("2026-11-29T10:00:00"))),
            RejectReason.INVALID});
        kinds.put("timestamp-year-10000", new Object[] {utf8(payment(id.apply("timestamp-year-10000"), acc, "100", "\"EUR\"",
                q("+10000-01-01T00:00:00Z"))), RejectReason.INVALID});
        List<Poison> corpus = new ArrayList<>();
        kinds.forEach((kind, spec) -> corpus.add(new Poison(kind, prefix + "-poison-" + kind, (byte[]) spec[0], (RejectReason) spec[1])));
        return corpus;
    }

    /** Valid edge cases: they must be stored, verbatim. */
    private static List<Generated> edgeCases(String prefix) {
        List<Payment> payments = List.of(
                new Payment(prefix + ":1.0-x", prefix + ".acc:edge-1", 1, "EUR", Instant.parse(AT)),
                // SQL's comment and cast tokens are within the id alphabet: bind parameters keep them inert
                new Payment(prefix + "::varchar--1", prefix + ".acc:edge-1", 3, "EUR", Instant.parse(AT)),
                new Payment(prefix + "-max", prefix + ".acc:edge-1", 1_000_000_000_000L, "EUR", Instant.parse(AT)),
                new Payment(prefix + "-refund", prefix + ".acc:edge-1", -1_000_000_000_000L, "EUR", Instant.parse(AT)),
                new Payment(prefix + "-" + "y".repeat(64 - prefix.length() - 1), prefix + "." + "z".repeat(64 - prefix.length() - 1), 7, "USD",
                        Instant.parse(AT)));
        List<Generated> cases = new ArrayList<>();
        for (Payment payment : payments) {
            cases.add(new Generated(payment.account(), PaymentGenerator.json(payment), payment, false, null));
        }
        // an offset timestamp and unknown nested fields: valid too
        Payment offset = new Payment(prefix + "-offset", prefix + ".acc:edge-2", 42, "GBP", Instant.parse("2026-11-29T09:00:00Z"));
        cases.add(new Generated(offset.account(), utf8(payment(q(offset.paymentId()), q(offset.account()), "42", "\"GBP\"",
                q("2026-11-29T10:00:00+01:00")).replace("}", ",\"meta\":{\"tags\":[\"a\",{\"b\":null}],\"v\":1.5}}")), offset, false, null));
        return cases;
    }

    @Test
    void deadLettersEveryPoisonRecordWithItsReasonAndBytesWithoutStallingOrDisturbingTheValidOnes() {
        String prefix = prefix("poison");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 50).withDuplicates(0.05));
        ExpectedLedger expected = new ExpectedLedger();
        List<Poison> corpus = corpus(prefix);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(25);
        List<Generated> edgeCases = edgeCases(prefix);

        // poison interleaved with valid traffic, so it shares polls, lanes and batches with good records
        for (int i = 0; i < corpus.size(); i++) {
            traffic.produce(topicName(), generator, 100, expected);
            Poison poison = corpus.get(i);
            traffic.send(topicName(), poison.key(), poison.value());
            expected.expectDeadLetter(poison.reason());
            if (i < edgeCases.size()) {
                Generated edge = edgeCases.get(i);
                traffic.send(topicName(), edge.key(), edge.value());
                expected.add(edge);
            }
        }
        traffic.produce(topicName(), generator, 100, expected);
        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));

        // phase 2: a different payment reusing a paymentId that is durable by now → conflict, the stored one wins
        Payment original = edgeCases.getFirst().payment();
        Payment reuse = new Payment(original.paymentId(), original.account(), original.amountCents() + 1, original.currency(),
                original.occurredAt());
        Poison conflict = new Poison("conflict", prefix + "-poison-conflict", PaymentGenerator.json(reuse), RejectReason.CONFLICT);
        corpus.add(conflict);
        traffic.send(topicName(), conflict.key(), conflict.value());
        expected.expectDeadLetter(RejectReason.CONFLICT);
        traffic.produce(topicName(), generator, 100, expected);
        awaitNoLag(Duration.ofSeconds(30));

        assertThat(pipeline.status().state()).as("no crash").isEqualTo(PipelineState.RUNNING);
        assertInvariant(jdbc, prefix, expected);
        for (Generated edge : edgeCases) {
            assertThat(jdbc.queryForObject("SELECT account || '|' || amount_cents || '|' || currency FROM sluice.payments WHERE payment_id = ?",
                    String.class, edge.payment().paymentId()))
                    .as("edge case %s stored verbatim", edge.payment().paymentId())
                    .isEqualTo(edge.payment().account() + "|" + edge.payment().amountCents() + "|" + edge.payment().currency());
        }
        assertThat(jdbc.queryForObject("SELECT to_regclass('sluice.payments') IS NOT NULL", Boolean.class)).as("payments survived").isTrue();

        List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
        Map<RejectReason, Long> byReason = letters.stream().collect(Collectors.groupingBy(
                l -> RejectReason.valueOf(l.reason().toUpperCase()), Collectors.counting()));
        assertThat(byReason).as("dead letters by reason").isEqualTo(expected.deadLetters());
        Map<String, DeadLetter> byKey = letters.stream().filter(l -> l.key() != null)
                .collect(Collectors.toMap(l -> new String(l.key(), StandardCharsets.UTF_8), l -> l, (a, b) -> a));
        for (Poison poison : corpus) {
            DeadLetter letter = byKey.get(poison.key());
            assertThat(letter).as("dead letter of %s", poison.kind()).isNotNull();
            assertThat(letter.reason()).as("reason of %s (detail: %s)", poison.kind(), letter.headers().get("sluice.error.detail"))
                    .isEqualTo(poison.reason().header());
            assertThat(letter.value()).as("value bytes of %s", poison.kind()).isEqualTo(poison.value());
            assertThat(letter.headers()).as("headers of %s", poison.kind())
                    .containsEntry("sluice.source.topic", topicName())
                    .containsKeys("sluice.source.partition", "sluice.source.offset", "sluice.error.detail");
            assertThat(letter.headers().get("sluice.error.detail")).as("detail of %s", poison.kind()).isNotBlank();
        }
    }
}
