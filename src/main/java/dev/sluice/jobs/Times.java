package dev.sluice.jobs;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import tools.jackson.databind.JsonNode;

/**
 * The time types' conversions for {@link Conversions}: ISO-8601 text or epoch milliseconds (a
 * number, or a text of digits from a key or header), in years 1 to 9999, to the microsecond
 * PostgreSQL stores. Stateless.
 */
final class Times {

    private Times() {
    }

    static Instant instant(JsonNode node) {
        Instant instant;
        if (isEpochMillis(node)) {
            instant = Instant.ofEpochMilli(epochMillis(node));
        } else if (node.isString()) {
            try {
                instant = OffsetDateTime.parse(node.stringValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw new ValueRefused("must be an ISO-8601 date-time with an offset (2026-01-31T10:15:30Z) or epoch milliseconds, "
                        + "was \"" + Conversions.abbreviate(node.stringValue()) + "\"");
            }
        } else {
            throw new ValueRefused("must be an ISO-8601 date-time or epoch milliseconds, was " + Conversions.describe(node));
        }
        checkYear(instant.atOffset(ZoneOffset.UTC).getYear());
        return microseconds(instant);
    }

    static LocalDateTime localDateTime(JsonNode node) {
        LocalDateTime time;
        if (isEpochMillis(node)) {
            time = LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis(node)), ZoneOffset.UTC);
        } else if (node.isString()) {
            String text = node.stringValue();
            try {
                time = LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            } catch (DateTimeParseException local) {
                try {
                    time = LocalDateTime.ofInstant(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant(),
                            ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new ValueRefused("must be an ISO-8601 date-time (2026-01-31T10:15:30) or epoch milliseconds, was \""
                            + Conversions.abbreviate(text) + "\"");
                }
            }
        } else {
            throw new ValueRefused("must be an ISO-8601 date-time or epoch milliseconds, was " + Conversions.describe(node));
        }
        checkYear(time.getYear());
        return microseconds(time.toInstant(ZoneOffset.UTC)).atOffset(ZoneOffset.UTC).toLocalDateTime();
    }

    static LocalDate date(JsonNode node) {
        LocalDate date;
        if (isEpochMillis(node)) {
            date = LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis(node)), ZoneOffset.UTC);
        } else if (node.isString()) {
            try {
                date = LocalDate.parse(node.stringValue(), DateTimeFormatter.ISO_LOCAL_DATE);
            } catch (DateTimeParseException e) {
                throw new ValueRefused("must be an ISO-8601 date (2026-01-31) or epoch milliseconds, was \""
                        + Conversions.abbreviate(node.stringValue()) + "\"");
            }
        } else {
            throw new ValueRefused("must be an ISO-8601 date or epoch milliseconds, was " + Conversions.describe(node));
        }
        checkYear(date.getYear());
        return date;
    }

    /** An integral number, or a text of digits (a header or key carries numbers as text). */
    private static boolean isEpochMillis(JsonNode node) {
        return node.isIntegralNumber() || node.isString() && Conversions.INTEGER_TEXT.matcher(node.stringValue()).matches();
    }

    private static long epochMillis(JsonNode node) {
        try {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return node.longValue();
            }
            return Long.parseLong(node.stringValue());
        } catch (NumberFormatException | NullPointerException e) {
            throw new ValueRefused("epoch milliseconds out of range");
        }
    }

    /** Years 1 to 9999: the ISO-8601 text both sides print and parse alike. */
    private static void checkYear(int year) {
        if (year < 1 || year > 9999) {
            throw new ValueRefused("is in year " + year + "; a job takes years 1 to 9999");
        }
    }

    /** To whole microseconds, as PostgreSQL stores it (half away from zero on the fraction). */
    private static Instant microseconds(Instant instant) {
        Instant truncated = instant.truncatedTo(ChronoUnit.MICROS);
        return instant.getNano() % 1000 >= 500 ? truncated.plus(1, ChronoUnit.MICROS) : truncated;
    }
}
