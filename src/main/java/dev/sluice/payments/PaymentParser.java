package dev.sluice.payments;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.RecordDecoder;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.Text;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Decodes and validates payment values with the exact rules of the contract.
 *
 * <p>{@code malformed}: not strict UTF-8, not one well-formed JSON object, duplicate keys, or
 * beyond the parsing bounds (size, nesting, number length). {@code invalid}: a JSON object whose
 * fields break a rule (missing, wrong type, out of range, bad characters). Unknown fields are
 * skipped (duplicate keys and depth are checked inside them too).
 *
 * <p>Decisions the contract leaves open: a leading byte order mark is malformed (RFC 8259 forbids
 * it); an integer of more than 64 digits is beyond the number bound (malformed), a shorter one
 * outside the range is invalid; a fraction ({@code 1.0}, {@code 1e3}) is invalid even when whole;
 * {@code occurredAt} is any ISO-8601 date-time with {@code Z} or an offset ({@code Instant.parse}),
 * in years 1–9999, stored as that instant ({@link OccurredAtParser}). Stateless and thread-safe.
 */
public final class PaymentParser implements RecordDecoder<Payment> {

    static final long MAX_ABS_AMOUNT = 1_000_000_000_000L;
    private static final int MAX_ID_LENGTH = 64;

    private final JsonFactory json;
    private final long maxValueBytes;

    public PaymentParser(PaymentProperties properties) {
        this.maxValueBytes = properties.maxValueSize().toBytes();
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(properties.maxNestingDepth())
                        .maxNumberLength(64)
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxValueBytes))
                        .maxNameLength(256)
                        .maxDocumentLength(maxValueBytes)
                        .build())
                .build();
    }

    @Override
    public Decoded<Payment> decode(byte[] key, byte[] value) {
        if (value == null) {
            return Decoded.rejected(RejectReason.MALFORMED, "value is null (tombstone)");
        }
        if (value.length == 0) {
            return Decoded.rejected(RejectReason.MALFORMED, "value is empty");
        }
        if (value.length > maxValueBytes) {
            return Decoded.rejected(RejectReason.MALFORMED,
                    "value of " + value.length + " bytes exceeds sluice.payments.max-value-size (" + maxValueBytes + ")");
        }
        if (!Text.isStrictUtf8(value)) {
            return Decoded.rejected(RejectReason.MALFORMED, "value is not valid UTF-8");
        }
        if (startsWithBom(value)) {
            // RFC 8259 §8.1: a JSON text must not start with a byte order mark; producers that add one are told so.
            return Decoded.rejected(RejectReason.MALFORMED, "value starts with a byte order mark");
        }
        try (JsonParser parser = json.createParser(value)) {
            return read(parser);
        } catch (JacksonException e) {
            return Decoded.rejected(RejectReason.MALFORMED, "not well-formed JSON: " + Text.firstLine(e.getOriginalMessage()));
        }
    }

    private Decoded<Payment> read(JsonParser parser) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return Decoded.rejected(RejectReason.MALFORMED, "value is not a JSON object");
        }
        String paymentId = null;
        String account = null;
        String currency = null;
        Instant instant = null; // null: missing, not a string, or not an instant of years 1-9999
        long amount = 0;
        boolean hasAmount = false;
        String problem = null;
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken token = parser.nextToken();
            switch (name) {
                case "paymentId" -> paymentId = text(parser, token);
                case "account" -> account = text(parser, token);
                case "currency" -> currency = text(parser, token);
                case "occurredAt" -> instant = instant(parser, token);
                case "amountCents" -> {
                    if (token == JsonToken.VALUE_NUMBER_INT) {
                        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            problem = firstProblem(problem, "amountCents is out of range");
                        } else {
                            amount = parser.getLongValue();
                            hasAmount = true;
                        }
                    } else {
                        problem = firstProblem(problem, "amountCents must be an integer, was " + describe(token));
                        // an array or object: step over it, or its members would be read as the payment's fields
                        parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            return Decoded.rejected(RejectReason.MALFORMED, "content after the JSON object");
        }
        problem = firstProblem(problem, checkId("paymentId", paymentId));
        problem = firstProblem(problem, checkId("account", account));
        if (problem == null && !hasAmount) {
            problem = "amountCents is missing";
        }
        // not Math.abs: it is negative for Long.MIN_VALUE, which would pass a "<= 10^12" check
        if (problem == null && (amount == 0 || amount > MAX_ABS_AMOUNT || amount < -MAX_ABS_AMOUNT)) {
            problem = amount == 0 ? "amountCents must not be zero" : "amountCents is out of range (|amount| <= 10^12)";
        }
        if (problem == null && (currency == null || !isCurrency(currency))) {
            problem = currency == null ? "currency is missing or not a string" : "currency must be three upper-case letters";
        }
        if (problem == null && instant == null) {
            problem = "occurredAt must be an ISO-8601 instant between years 1 and 9999";
        }
        if (problem != null) {
            return Decoded.rejected(RejectReason.INVALID, problem);
        }
        return Decoded.accepted(new Payment(paymentId, account, amount, currency, instant));
    }

    private static String text(JsonParser parser, JsonToken token) {
        if (token == JsonToken.VALUE_STRING) {
            return parser.getString();
        }
        parser.skipChildren();
        return null;
    }

    private static String checkId(String field, String value) {
        if (value == null) {
            return field + " is missing or not a string";
        }
        if (!isId(value)) {
            return field + " must be 1-64 characters of [A-Za-z0-9._:-]";
        }
        return null;
    }

    /** Read from the parser's buffer: the text of a valid timestamp never becomes a String. */
    private static Instant instant(JsonParser parser, JsonToken token) {
        if (token == JsonToken.VALUE_STRING) {
            return OccurredAtParser.parse(parser.getStringCharacters(), parser.getStringOffset(), parser.getStringLength());
        }
        parser.skipChildren();
        return null;
    }

    private static String firstProblem(String current, String next) {
        return current != null ? current : next;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_NUMBER_FLOAT -> "a fraction";
            case VALUE_STRING -> "a string";
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> token.name();
        };
    }

    private static boolean startsWithBom(byte[] value) {
        return value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF;
    }

    /** Three of [A-Z]; a comparison, not a regex: it runs for every record. */
    private static boolean isCurrency(String value) {
        return value.length() == 3 && isUpper(value.charAt(0)) && isUpper(value.charAt(1)) && isUpper(value.charAt(2));
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** 1-64 characters of [A-Za-z0-9._:-]; a loop, not a regex: it runs twice for every record. */
    private static boolean isId(String value) {
        int length = value.length();
        if (length < 1 || length > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
