package dev.sluice.jobs;

import dev.sluice.jobs.ColumnType.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * JSON values (from a JSON value, a JSON key, or an Avro reader's tree) to the Java value of a
 * column's type, and that value to the text PostgreSQL reads back exactly. Nothing is rounded or
 * cut: a value that does not fit its column is refused ({@link ValueRefused}) with the reason.
 *
 * <p>Java values by kind: text and JSON {@code String}, integers {@code Long}, numeric
 * {@code BigDecimal}, boolean {@code Boolean}, uuid {@code UUID}, timestamptz {@code Instant}
 * (microseconds, as stored), timestamp {@code LocalDateTime}, date {@code LocalDate}, bytea
 * {@code byte[]}, arrays {@code List}. Stateless.
 */
final class Conversions {

    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    static final Pattern INTEGER_TEXT = Pattern.compile("-?[0-9]{1,19}");
    /** PostgreSQL's numeric limits: digits before and after the point. */
    private static final int NUMERIC_MAX_INTEGER_DIGITS = 131072;
    private static final int NUMERIC_MAX_SCALE = 16383;

    private Conversions() {
    }

    /** {@code node} as a value of {@code type}; null for a missing or null node. */
    static Object convert(ColumnType type, JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!type.array()) {
            return scalar(type, node);
        }
        if (!node.isArray()) {
            throw new ValueRefused("must be a JSON array for " + type + ", was " + describe(node));
        }
        List<Object> elements = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            try {
                elements.add(element.isNull() ? null : scalar(type, element));
            } catch (ValueRefused e) {
                throw new ValueRefused("element " + i + " " + e.getMessage());
            }
        }
        return elements;
    }

    private static Object scalar(ColumnType type, JsonNode node) {
        return switch (type.kind()) {
            case TEXT, VARCHAR -> text(type, node);
            case INT2 -> integer(node, Short.MIN_VALUE, Short.MAX_VALUE, "smallint");
            case INT4 -> integer(node, Integer.MIN_VALUE, Integer.MAX_VALUE, "integer");
            case INT8 -> integer(node, Long.MIN_VALUE, Long.MAX_VALUE, "bigint");
            case NUMERIC -> numeric(type, node);
            case BOOL -> bool(node);
            case UUID -> uuid(node);
            case JSON, JSONB -> json(type, node);
            case TIMESTAMPTZ -> Times.instant(node);
            case TIMESTAMP -> Times.localDateTime(node);
            case DATE -> Times.date(node);
            case BYTEA -> bytes(node);
        };
    }

    private static String text(ColumnType type, JsonNode node) {
        if (!node.isValueNode()) {
            throw new ValueRefused("must be a JSON string, number or boolean for " + type + ", was " + describe(node));
        }
        String text = node.isNumber() && node.isBigDecimal() ? node.decimalValue().toPlainString() : node.asString();
        if (text.indexOf('\0') >= 0) {
            throw new ValueRefused("contains a NUL character, which PostgreSQL text cannot hold");
        }
        if (type.length() >= 0 && text.codePointCount(0, text.length()) > type.length()) {
            throw new ValueRefused("has " + text.codePointCount(0, text.length()) + " characters; " + type + " holds "
                    + type.length());
        }
        return text;
    }

    private static Long integer(JsonNode node, long min, long max, String name) {
        long value;
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new ValueRefused("is out of range for " + name);
            }
            value = node.longValue();
        } else if (node.isString() && INTEGER_TEXT.matcher(node.stringValue()).matches()) {
            try {
                value = Long.parseLong(node.stringValue());
            } catch (NumberFormatException e) {
                throw new ValueRefused("is out of range for " + name);
            }
        } else {
            throw new ValueRefused("must be an integer for " + name + ", was " + describe(node));
        }
        if (value < min || value > max) {
            throw new ValueRefused(value + " is out of range for " + name + " (" + min + " to " + max + ")");
        }
        return value;
    }

    private static BigDecimal numeric(ColumnType type, JsonNode node) {
        BigDecimal value;
        if (node.isNumber() && !node.isIntegralNumber() && !node.isBigDecimal()) {
            // a double from a reader that has no decimals (an Avro float or double): its shortest exact text
            double number = node.doubleValue();
            if (!Double.isFinite(number)) {
                throw new ValueRefused("is " + number + ", which numeric " + type + " does not take here");
            }
            value = new BigDecimal(Double.toString(number));
        } else if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isString()) {
            try {
                value = new BigDecimal(node.stringValue());
            } catch (NumberFormatException e) {
                throw new ValueRefused("must be a number for " + type + ", was the text \"" + abbreviate(node.stringValue()) + "\"");
            }
        } else {
            throw new ValueRefused("must be a number for " + type + ", was " + describe(node));
        }
        BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        int integerDigits = Math.max(0, stripped.precision() - stripped.scale());
        int maxScale = type.precision() < 0 ? NUMERIC_MAX_SCALE : type.scale();
        int maxIntegerDigits = type.precision() < 0 ? NUMERIC_MAX_INTEGER_DIGITS : type.precision() - type.scale();
        if (stripped.scale() > maxScale) {
            // the value itself only when it is short: the plain text of 1e-999999999 is a gigabyte
            String shown = value.precision() + Math.abs((long) value.scale()) <= 60 ? value.toPlainString() + " " : "";
            throw new ValueRefused(shown + "has " + stripped.scale() + " decimal places; " + type + " takes " + maxScale
                    + " (no rounding)");
        }
        if (integerDigits > maxIntegerDigits) {
            throw new ValueRefused("has " + integerDigits + " digits before the point; " + type + " takes " + maxIntegerDigits);
        }
        return type.precision() >= 0 && value.scale() > type.scale() ? value.setScale(type.scale()) : value;
    }

    private static Boolean bool(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isString() && (node.stringValue().equals("true") || node.stringValue().equals("false"))) {
            return Boolean.valueOf(node.stringValue());
        }
        throw new ValueRefused("must be true or false for boolean, was " + describe(node));
    }

    private static UUID uuid(JsonNode node) {
        if (node.isString() && UUID_TEXT.matcher(node.stringValue()).matches()) {
            return UUID.fromString(node.stringValue());
        }
        throw new ValueRefused("must be a UUID (8-4-4-4-12 hexadecimal digits), was " + describe(node));
    }

    private static String json(ColumnType type, JsonNode node) {
        String json = node.toString();
        if (type.kind() == Kind.JSONB && json.contains("\\u0000")) {
            throw new ValueRefused("contains \\u0000, which jsonb cannot hold");
        }
        return json;
    }

    private static byte[] bytes(JsonNode node) {
        if (node.isBinary()) {
            return node.binaryValue();
        }
        if (node.isString()) {
            try {
                return Base64.getDecoder().decode(node.stringValue());
            } catch (IllegalArgumentException e) {
                throw new ValueRefused("must be base64 for bytea: " + e.getMessage());
            }
        }
        throw new ValueRefused("must be a base64 string for bytea, was " + describe(node));
    }

    /** The text PostgreSQL reads as {@code value} of the column's type (an array as its literal). */
    static String sqlText(Object value) {
        return switch (value) {
            case null -> null;
            case BigDecimal decimal -> decimal.toPlainString();
            case byte[] bytes -> "\\x" + HexFormat.of().formatHex(bytes);
            case List<?> list -> arrayLiteral(list);
            default -> value.toString();
        };
    }

    private static String arrayLiteral(List<?> elements) {
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            String text = sqlText(elements.get(i));
            if (text == null) {
                literal.append("NULL");
            } else {
                literal.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return literal.append('}').toString();
    }

    /** A value's identity as a key: numerically equal decimals and equal byte strings are one key. */
    static Object keyIdentity(Object value) {
        return switch (value) {
            case BigDecimal decimal -> decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
            case byte[] bytes -> HexFormat.of().formatHex(bytes);
            case null, default -> value;
        };
    }

    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isString()) {
            return "the text \"" + abbreviate(node.stringValue()) + "\"";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isNumber()) {
            return node.isIntegralNumber() ? "an integer" : "a fraction";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
