package dev.sluice.payments;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The {@code occurredAt} rule of the contract: what {@link Instant#parse} accepts (ISO-8601
 * date-time with {@code Z} or an offset, case-insensitive), limited to text of at most 64
 * characters and to instants in years 1–9999.
 *
 * <p>Why two paths: {@code Instant.parse} costs a formatter run, a parsed-field map and several
 * objects per call, and it ran once per record. The fast path reads the common shape
 * {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)} straight from the characters. It only ever
 * <em>accepts</em>: anything it is not certain about (24:00, a leap second, {@code "10:00:00.Z"},
 * seconds in the offset, a day past the month's end, ...) goes to {@code Instant.parse}, so the set
 * of accepted texts and the instant stored for each are exactly those of {@code Instant.parse}
 * (checked against it by {@code OccurredAtParserTest}). Stateless and thread-safe.
 */
final class OccurredAtParser {

    static final int MAX_LENGTH = 64;
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");
    /** As {@code LocalDate.DAYS_0000_TO_1970}: days from 0000-01-01 to 1970-01-01. */
    private static final long DAYS_0000_TO_1970 = (146_097L * 5L) - (30L * 365L + 7L);
    private static final int MAX_OFFSET_SECONDS = 18 * 3600;
    private static final int[] NANO_SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private OccurredAtParser() {
    }

    /** The instant, or null when {@code text} breaks the rule. */
    static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        char[] chars = text.toCharArray();
        return parse(chars, 0, chars.length);
    }

    /** The instant of {@code chars[offset, offset + length)}, or null when it breaks the rule. */
    static Instant parse(char[] chars, int offset, int length) {
        if (length > MAX_LENGTH) {
            return null;
        }
        Instant instant = common(chars, offset, length);
        if (instant == null) {
            instant = exact(new String(chars, offset, length));
        }
        return instant == null || instant.isBefore(EARLIEST) || instant.isAfter(LATEST) ? null : instant;
    }

    /** The reference: {@code Instant.parse}, the rule as it was first written. */
    static Instant exact(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The common shape with every field in its range, or null for "not sure: ask {@link #exact}". */
    static Instant common(char[] c, int at, int length) {
        if (length < 20 || c[at + 4] != '-' || c[at + 7] != '-' || (c[at + 10] != 'T' && c[at + 10] != 't')
                || c[at + 13] != ':' || c[at + 16] != ':') {
            return null;
        }
        int year = digits4(c, at);
        int month = digits2(c, at + 5);
        int day = digits2(c, at + 8);
        int hour = digits2(c, at + 11);
        int minute = digits2(c, at + 14);
        int second = digits2(c, at + 17);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > monthLength(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null; // a negative value is a non-digit
        }
        int end = at + length;
        int p = at + 19;
        int nano = 0;
        if (c[p] == '.') {
            int first = ++p;
            while (p < end && p - first < 10 && isDigit(c[p])) {
                nano = nano * 10 + (c[p] - '0');
                p++;
            }
            int count = p - first;
            if (count < 1 || count > 9) {
                return null;
            }
            nano *= NANO_SCALE[count];
        }
        int offsetSeconds;
        if (end - p == 1 && (c[p] == 'Z' || c[p] == 'z')) {
            offsetSeconds = 0;
        } else if (end - p == 6 && (c[p] == '+' || c[p] == '-') && c[p + 3] == ':') {
            int offsetHours = digits2(c, p + 1);
            int offsetMinutes = digits2(c, p + 4);
            if (offsetHours < 0 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = offsetHours * 3600 + offsetMinutes * 60;
            if (offsetSeconds > MAX_OFFSET_SECONDS) {
                return null;
            }
            if (c[p] == '-') {
                offsetSeconds = -offsetSeconds;
            }
        } else {
            return null;
        }
        long seconds = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(seconds, nano);
    }

    /** As {@code LocalDate.toEpochDay} for a valid date of a year ≥ 0. */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367L * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!isLeap(year)) {
                total--;
            }
        }
        return total - DAYS_0000_TO_1970;
    }

    private static int monthLength(int year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static boolean isLeap(int year) {
        return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Two ASCII digits as a number, or -1. */
    private static int digits2(char[] c, int at) {
        char tens = c[at];
        char ones = c[at + 1];
        return isDigit(tens) && isDigit(ones) ? (tens - '0') * 10 + (ones - '0') : -1;
    }

    /** Four ASCII digits as a number, or -1. */
    private static int digits4(char[] c, int at) {
        int high = digits2(c, at);
        int low = digits2(c, at + 2);
        return high < 0 || low < 0 ? -1 : high * 100 + low;
    }
}
