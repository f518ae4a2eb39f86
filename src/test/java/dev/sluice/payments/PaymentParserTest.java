package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

/**
 * Every rule of the input contract (DESIGN.md "Input") and the parser's documented split:
 * {@code malformed} = not strict UTF-8 / not one well-formed JSON object / duplicate keys / beyond
 * the parse bounds; {@code invalid} = a JSON object breaking a field rule.
 */
class PaymentParserTest {

    private static final int MAX_VALUE_BYTES = 16 * 1024;
    private static final int MAX_DEPTH = 16;
    private final PaymentParser parser = new PaymentParser(new PaymentProperties(DataSize.ofBytes(MAX_VALUE_BYTES), MAX_DEPTH));

    private static final String ID = "\"pay-1\"";
    private static final String ACCOUNT = "\"acc-1\"";
    private static final String AMOUNT = "1999";
    private static final String CURRENCY = "\"EUR\"";
    private static final String AT = "\"2026-11-29T10:00:00Z\"";

    /** A payment JSON with the given raw JSON values (null leaves the field out). */
    private static String json(String id, String account, String amount, String currency, String at) {
        StringBuilder out = new StringBuilder("{");
        field(out, "paymentId", id);
        field(out, "account", account);
        field(out, "amountCents", amount);
        field(out, "currency", currency);
        field(out, "occurredAt", at);
        return out.append('}').toString();
    }

    private static void field(StringBuilder out, String name, String raw) {
        if (raw == null) {
            return;
        }
        if (out.length() > 1) {
            out.append(',');
        }
        out.append('"').append(name).append("\":").append(raw);
    }

    private static String withAmount(String amount) {
        return json(ID, ACCOUNT, amount, CURRENCY, AT);
    }

    private static String withId(String id) {
        return json(id, ACCOUNT, AMOUNT, CURRENCY, AT);
    }

    private static String withAccount(String account) {
        return json(ID, account, AMOUNT, CURRENCY, AT);
    }

    private static String withCurrency(String currency) {
        return json(ID, ACCOUNT, AMOUNT, currency, AT);
    }

    private static String withAt(String at) {
        return json(ID, ACCOUNT, AMOUNT, CURRENCY, at);
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private Decoded<Payment> decode(String value) {
        return parser.decode(null, value.getBytes(StandardCharsets.UTF_8));
    }

    private Payment accepted(String value) {
        Decoded<Payment> decoded = decode(value);
        assertThat(decoded).as("decoding %s", abbreviated(value)).isInstanceOf(Decoded.Accepted.class);
        return ((Decoded.Accepted<Payment>) decoded).value();
    }

    private Decoded.Rejected<Payment> rejected(byte[] value, RejectReason reason) {
        Decoded<Payment> decoded = parser.decode(null, value);
        assertThat(decoded).as("decoding %s", abbreviated(value == null ? "null" : new String(value, StandardCharsets.UTF_8)))
                .isInstanceOf(Decoded.Rejected.class);
        Decoded.Rejected<Payment> rejected = (Decoded.Rejected<Payment>) decoded;
        assertThat(rejected.reason()).as("reason for %s (detail: %s)", abbreviated(
                value == null ? "null" : new String(value, StandardCharsets.UTF_8)), rejected.detail()).isEqualTo(reason);
        assertThat(rejected.detail()).isNotBlank();
        return rejected;
    }

    private Decoded.Rejected<Payment> malformed(String value) {
        return rejected(value.getBytes(StandardCharsets.UTF_8), RejectReason.MALFORMED);
    }

    private Decoded.Rejected<Payment> invalid(String value) {
        return rejected(value.getBytes(StandardCharsets.UTF_8), RejectReason.INVALID);
    }

    private static String abbreviated(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "…(" + text.length() + " chars)" : text;
    }

    @Test
    void acceptsTheContractExampleWithEveryFieldAsGiven() {
        Payment payment = accepted("""
                {"paymentId":"pay-000123","account":"acc-42","amountCents":1999,"currency":"EUR","occurredAt":"2026-11-29T10:00:00Z"}""");
        assertThat(payment).isEqualTo(new Payment("pay-000123", "acc-42", 1999, "EUR", Instant.parse("2026-11-29T10:00:00Z")));
    }

    @Test
    void acceptsFieldsInAnyOrderWithWhitespaceAndEscapes() {
        Payment payment = accepted("""
                 { "occurredAt" : "2026-11-29T10:00:00Z", "currency":"USD",
                   "amountCents":-5, "account":"acc\\u002d7", "paymentId":"p" }\n""");
        assertThat(payment.account()).isEqualTo("acc-7");
        assertThat(payment.amountCents()).isEqualTo(-5);
    }

    @Nested
    class Ids {

        @ParameterizedTest
        @ValueSource(strings = {"a", "pay:1.0-x", "A.b_c:d-9", "___", "..", "0"})
        void storesIdsOfTheAllowedAlphabetVerbatim(String id) {
            assertThat(accepted(withId(quoted(id))).paymentId()).isEqualTo(id);
            assertThat(accepted(withAccount(quoted(id))).account()).isEqualTo(id);
        }

        @Test
        void acceptsSixtyFourCharactersAndRefusesSixtyFive() {
            assertThat(accepted(withId(quoted("p".repeat(64)))).paymentId()).hasSize(64);
            assertThat(accepted(withAccount(quoted("a".repeat(64)))).account()).hasSize(64);
            assertThat(invalid(withId(quoted("p".repeat(65)))).detail()).contains("paymentId");
            assertThat(invalid(withAccount(quoted("a".repeat(65)))).detail()).contains("account");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "x';DROP TABLE payments;--", "pay 1", "pay/1", "pay\\\"1", "pay\\u0000", "zahlung-ä",
            "pay\\n1", "pay,1", "pay%1", "😀"})
        void refusesIdsOutsideTheAlphabet(String id) {
            assertThat(invalid(withId(quoted(id))).detail()).startsWith("paymentId");
            assertThat(invalid(withAccount(quoted(id))).detail()).startsWith("account");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "null", "true", "[\"p\"]", "{\"id\":\"p\"}"})
        void refusesIdsThatAreNotStrings(String raw) {
            assertThat(invalid(withId(raw)).detail()).isEqualTo("paymentId is missing or not a string");
            assertThat(invalid(withAccount(raw)).detail()).isEqualTo("account is missing or not a string");
        }

        @Test
        void refusesMissingIds() {
            assertThat(invalid(json(null, ACCOUNT, AMOUNT, CURRENCY, AT)).detail()).contains("paymentId is missing");
            assertThat(invalid(json(ID, null, AMOUNT, CURRENCY, AT)).detail()).contains("account is missing");
        }
    }

    @Nested
    class Amounts {

        @ParameterizedTest
        @ValueSource(longs = {1, -1, 1999, -1999, 1_000_000_000_000L, -1_000_000_000_000L})
        void acceptsNonZeroIntegersUpToTenToTheTwelveIncludingRefunds(long amount) {
            assertThat(accepted(withAmount(Long.toString(amount))).amountCents()).isEqualTo(amount);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-0", "1000000000001", "-1000000000001", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"})
        void refusesZeroAndEverythingBeyondTenToTheTwelve(String amount) {
            assertThat(invalid(withAmount(amount)).detail()).startsWith("amountCents");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1.0", "12.5", "1e3", "1E3", "-0.0", "1.5e300", "\"100\"", "null", "true", "[1]", "{\"v\":1}"})
        void refusesFractionsStringsAndOtherTypes(String amount) {
            assertThat(invalid(withAmount(amount)).detail()).startsWith("amountCents must be an integer");
        }

        @Test
        void neverReadsTheMembersOfAnObjectAmountAsThePaymentsFields() {
            String smuggled = "{\"paymentId\":\"pay-1\",\"account\":\"acc-1\",\"amountCents\":{\"paymentId\":\"evil\"},"
                    + "\"currency\":\"EUR\",\"occurredAt\":\"2026-11-29T10:00:00Z\"}";
            assertThat(invalid(smuggled).detail()).isEqualTo("amountCents must be an integer, was an object");
        }

        @Test
        void refusesAMissingAmount() {
            assertThat(invalid(json(ID, ACCOUNT, null, CURRENCY, AT)).detail()).isEqualTo("amountCents is missing");
        }

        @Test
        void treatsIntegersLongerThanTheNumberBoundAsMalformed() {
            assertThat(malformed(withAmount("9".repeat(65))).detail()).contains("not well-formed JSON");
        }

        @ParameterizedTest
        @ValueSource(strings = {"01", "+1", "NaN", "Infinity", "-", "1.", ".5", "0x10"})
        void treatsNumbersThatAreNotJsonAsMalformed(String amount) {
            malformed(withAmount(amount));
        }
    }

    @Nested
    class Currencies {

        @ParameterizedTest
        @ValueSource(strings = {"EUR", "USD", "XAU", "AAA"})
        void acceptsThreeUpperCaseLetters(String currency) {
            assertThat(accepted(withCurrency(quoted(currency))).currency()).isEqualTo(currency);
        }

        @ParameterizedTest
        @ValueSource(strings = {"eur", "Eur", "EU", "EURO", "", "E1R", "ÉUR", " EUR", "EUR "})
        void refusesAnythingElse(String currency) {
            assertThat(invalid(withCurrency(quoted(currency))).detail()).isEqualTo("currency must be three upper-case letters");
        }

        @ParameterizedTest
        @ValueSource(strings = {"978", "null", "[\"EUR\"]"})
        void refusesNonStringsAndAMissingCurrency(String raw) {
            assertThat(invalid(withCurrency(raw)).detail()).isEqualTo("currency is missing or not a string");
            assertThat(invalid(json(ID, ACCOUNT, AMOUNT, null, AT)).detail()).isEqualTo("currency is missing or not a string");
        }
    }

    @Nested
    class Timestamps {

        @Test
        void acceptsInstantsWithZuluOrAnOffsetAndStoresTheInstant() {
            assertThat(accepted(withAt("\"2026-11-29T10:00:00Z\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
            assertThat(accepted(withAt("\"2026-11-29T10:00:00.123456Z\"")).occurredAt())
                    .isEqualTo(Instant.parse("2026-11-29T10:00:00.123456Z"));
            assertThat(accepted(withAt("\"2026-11-29T11:00:00+01:00\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
            assertThat(accepted(withAt("\"0001-01-01T00:00:00Z\"")).occurredAt()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
            assertThat(accepted(withAt("\"9999-12-31T23:59:59Z\"")).occurredAt()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-11-29", "2026-11-29T10:00:00", "2026-11-29 10:00:00Z", "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z", "2026-11-29T25:00:00Z", "yesterday", "", "1764410400",
            "0000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z"})
        void refusesWhatIsNotAnInstantInYearsOneToNineThousandNineHundredNinetyNine(String at) {
            assertThat(invalid(withAt(quoted(at))).detail()).startsWith("occurredAt");
        }

        @ParameterizedTest
        @ValueSource(strings = {"2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z", "2026-11-29T10:00:00.1Z",
            "2026-11-29T10:00:00.12Z", "2026-11-29T10:00:00.123Z", "2026-11-29T10:00:00.1234Z", "2026-11-29T10:00:00.12345Z",
            "2026-11-29T10:00:00.123456Z", "2026-11-29T10:00:00.1234567Z", "2026-11-29T10:00:00.12345678Z",
            "2026-11-29T10:00:00.123456789Z", "2026-11-29T10:00:00.5+05:30", "2026-11-29T10:00:00-04:00",
            "2026-11-29T10:00:00+18:00", "2026-11-29T10:00:00-18:00", "2026-11-29T10:00:00-00:00", "2026-11-29T10:00:00+01:00:30",
            "9999-12-31T23:59:59.999999Z", "0001-01-01T01:00:00+01:00"})
        void storesExactlyTheInstantThatInstantParseReads(String at) {
            assertThat(accepted(withAt(quoted(at))).occurredAt()).isEqualTo(Instant.parse(at));
        }

        @Test
        void keepsWhatInstantParseAcceptsBeyondTheCommonShape() {
            // ISO_INSTANT parses case-insensitively, reads 24:00 as the next midnight and a leap second as :59
            assertThat(accepted(withAt("\"2026-11-29t10:00:00z\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
            assertThat(accepted(withAt("\"2026-11-29T10:00:00z\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
            assertThat(accepted(withAt("\"2026-11-29T24:00:00Z\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
            assertThat(accepted(withAt("\"2026-12-31T23:59:60Z\"")).occurredAt()).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
            assertThat(accepted(withAt("\"2026-11-29T10:00:00.Z\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
            assertThat(accepted(withAt("\"2026\\u002d11-29T10:00:00Z\"")).occurredAt()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-29T24:00:01Z", "2026-11-29T10:60:00Z", "2026-11-29T10:00:61Z",
            "2026-11-29T10:00:00.1234567891Z", "2026-11-29T10:00:00,5Z", "2026-11-29T10:00:00+18:01", "2026-11-29T10:00:00+19:00",
            "2026-11-29T10:00:00+01:60", "2026-11-29T10:00:00+01", "2026-11-29T10:00:00+0100", "2026-11-29T10:00:00+1:00",
            "2026-11-29T10:00Z", "2026-11-29T10:00:00z+01:00", "2026-11-29T10:00:00+01:00Z", "2026-11-29T10:00:00+01:00[Europe/Paris]",
            "+2026-11-29T10:00:00Z", "2026-1-29T10:00:00Z", "2026-11-29T1:00:00Z", "٢٠٢٦-11-29T10:00:00Z",
            "9999-12-31T23:59:59.9999991Z", "9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00"})
        void refusesOutOfRangeFieldsOffsetsAndFractionsAsInstantParseDoes(String at) {
            assertThat(invalid(withAt(quoted(at))).detail()).startsWith("occurredAt");
        }

        @Test
        void refusesTimestampsLongerThanSixtyFourCharacters() {
            String at = "2026-11-29T10:00:00." + "0".repeat(9) + "Z";
            accepted(withAt(quoted(at)));
            assertThat(invalid(withAt(quoted("2026-11-29T10:00:00Z" + " ".repeat(45)))).detail()).startsWith("occurredAt");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1764410400", "null", "{}"})
        void refusesNonStringAndMissingTimestamps(String raw) {
            assertThat(invalid(withAt(raw)).detail()).startsWith("occurredAt");
            assertThat(invalid(json(ID, ACCOUNT, AMOUNT, CURRENCY, null)).detail()).startsWith("occurredAt");
        }
    }

    @Nested
    class UnknownFields {

        @Test
        void ignoresUnknownFieldsOfEveryShapeIncludingNestedObjects() {
            Payment payment = accepted("""
                    {"meta":{"a":[1,2,{"b":null}],"c":"d"},"paymentId":"pay-1","x":1.5e3,"account":"acc-1",
                     "amountCents":7,"tags":["t"],"currency":"EUR","flag":true,"occurredAt":"2026-11-29T10:00:00Z","n":null}""");
            assertThat(payment.amountCents()).isEqualTo(7);
        }

        @Test
        void fieldNamesAreCaseSensitive() {
            assertThat(invalid("""
                    {"PaymentId":"pay-1","account":"acc-1","amountCents":7,"currency":"EUR","occurredAt":"2026-11-29T10:00:00Z"}""")
                    .detail()).startsWith("paymentId is missing");
        }
    }

    @Nested
    class Malformed {

        @ParameterizedTest
        @ValueSource(strings = {"\"paymentId\"", "\"amountCents\"", "\"meta\""})
        void treatsDuplicateKeysAsMalformed(String key) {
            String value = "{" + key + ":\"x\"," + json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).substring(1)
                    .replaceFirst("}$", "," + key + ":\"y\"}");
            assertThat(malformed(value).detail()).contains("Duplicate");
        }

        @Test
        void treatsDuplicateKeysInsideUnknownObjectsAsMalformed() {
            malformed(json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).replaceFirst("}$", ",\"meta\":{\"a\":1,\"a\":2}}"));
        }

        @Test
        void acceptsNestingUpToTheBoundAndRefusesDeeperAsMalformed() {
            // the payment object is level 1, so MAX_DEPTH - 1 more levels fit
            String fits = "[".repeat(MAX_DEPTH - 1) + "]".repeat(MAX_DEPTH - 1);
            accepted(json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).replaceFirst("}$", ",\"deep\":" + fits + "}"));
            String tooDeep = "[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH);
            assertThat(malformed(json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).replaceFirst("}$", ",\"deep\":" + tooDeep + "}"))
                    .detail()).contains("depth");
            String veryDeep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
            malformed(veryDeep);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"paymentId\":\"pay-1\",\"account\":", "{", "}", "{\"paymentId\" \"p\"}", "{'paymentId':'p'}",
            "{paymentId:\"p\"}", "{\"a\":1,}", "{\"a\":\"unterminated}", "{\"a\":tru}", "{\"a\":\"tab\there\"}"})
        void treatsBrokenJsonAsMalformed(String value) {
            assertThat(malformed(value).detail()).contains("JSON");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "[{\"paymentId\":\"p\"}]", "\"text\"", "42", "null", "true", " ", "\n"})
        void treatsJsonThatIsNotAnObjectAsMalformed(String value) {
            malformed(value);
        }

        @ParameterizedTest
        @ValueSource(strings = {" {}", "{} x", "{}{}", "{} []", "{} 1"})
        void treatsContentAfterTheObjectAsMalformed(String suffix) {
            malformed(json(ID, ACCOUNT, AMOUNT, CURRENCY, AT) + suffix);
        }

        @Test
        void acceptsTrailingWhitespace() {
            accepted(json(ID, ACCOUNT, AMOUNT, CURRENCY, AT) + " \r\n\t");
        }

        @Test
        void treatsNullAndEmptyValuesAsMalformed() {
            assertThat(rejected(null, RejectReason.MALFORMED).detail()).contains("tombstone");
            assertThat(rejected(new byte[0], RejectReason.MALFORMED).detail()).contains("empty");
        }

        @Test
        void treatsBytesThatAreNotStrictUtf8AsMalformed() {
            byte[] valid = json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).getBytes(StandardCharsets.UTF_8);
            byte[][] corruptions = {
                {(byte) 0xFF},                           // never valid in UTF-8
                {(byte) 0xC3},                           // truncated two-byte sequence
                {(byte) 0xC0, (byte) 0xAF},              // overlong '/'
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong three-byte '/'
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded UTF-16 surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
                {(byte) 0xE9},                           // ISO-8859-1 'é'
            };
            for (byte[] corruption : corruptions) {
                byte[] value = new byte[valid.length + corruption.length];
                // inside the paymentId string, where a lenient decoder would let it through
                int at = new String(valid, StandardCharsets.UTF_8).indexOf("pay-1") + 3;
                System.arraycopy(valid, 0, value, 0, at);
                System.arraycopy(corruption, 0, value, at, corruption.length);
                System.arraycopy(valid, at, value, at + corruption.length, valid.length - at);
                assertThat(rejected(value, RejectReason.MALFORMED).detail()).isEqualTo("value is not valid UTF-8");
            }
        }

        @Test
        void treatsALeadingByteOrderMarkAsMalformed() {
            byte[] valid = json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).getBytes(StandardCharsets.UTF_8);
            byte[] value = new byte[valid.length + 3];
            value[0] = (byte) 0xEF;
            value[1] = (byte) 0xBB;
            value[2] = (byte) 0xBF;
            System.arraycopy(valid, 0, value, 3, valid.length);
            assertThat(rejected(value, RejectReason.MALFORMED).detail()).contains("byte order mark");
        }

        @Test
        void acceptsAValueAtTheSizeBoundAndRefusesOneByteMore() {
            String base = json(ID, ACCOUNT, AMOUNT, CURRENCY, AT);
            String padding = ",\"pad\":\"\"}";
            String fits = base.substring(0, base.length() - 1)
                    + padding.replace("\"\"", "\"" + "x".repeat(MAX_VALUE_BYTES - base.length() - padding.length() + 1) + "\"");
            assertThat(fits.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_VALUE_BYTES);
            accepted(fits);
            String over = fits.replace("\"pad\":\"", "\"pad\":\"x");
            assertThat(malformed(over).detail()).contains("max-value-size");
        }

        @Test
        void treatsAValueNearTheBrokerLimitAsMalformedWithoutParsingIt() {
            String huge = "{\"pad\":\"" + "x".repeat(1_000_000) + "\"}";
            assertThat(malformed(huge).detail()).contains("1000010 bytes");
        }

        @Test
        void neverThrowsForArbitraryBytes() {
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            byte[] template = json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 5_000; i++) {
                byte[] value = template.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    value[random.nextInt(value.length)] = (byte) random.nextInt(256);
                }
                assertThat(parser.decode(null, value)).isNotNull();
            }
        }
    }

    @Test
    void ignoresTheKeyBecauseTheValuesAccountIsTheTruth() {
        byte[] value = json(ID, ACCOUNT, AMOUNT, CURRENCY, AT).getBytes(StandardCharsets.UTF_8);
        Decoded<Payment> decoded = parser.decode("someone-else".getBytes(StandardCharsets.UTF_8), value);
        assertThat(((Decoded.Accepted<Payment>) decoded).value().account()).isEqualTo("acc-1");
        assertThat(parser.decode(new byte[] {(byte) 0xFF}, value)).isInstanceOf(Decoded.Accepted.class);
    }
}
