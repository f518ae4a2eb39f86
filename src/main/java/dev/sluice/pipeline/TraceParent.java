package dev.sluice.pipeline;

import java.util.Locale;

/**
 * A W3C trace context ({@code traceparent} header, version 00) read from a record: the
 * producer's trace and span. Pure; an absent or malformed header reads as no context.
 *
 * @param traceId 32 lower-case hex digits, not all zero
 * @param spanId 16 lower-case hex digits, not all zero
 * @param sampled the producer's sampled flag
 */
public record TraceParent(String traceId, String spanId, boolean sampled) {

    public static final String HEADER = "traceparent";

    /** The record's trace context, or null when it carries none (or a malformed one). */
    public static TraceParent of(InboundRecord record) {
        return parse(record.lastHeader(HEADER));
    }

    /** Parses {@code 00-<trace-id>-<parent-id>-<flags>}; null when absent or malformed. */
    public static TraceParent parse(String header) {
        if (header == null) {
            return null;
        }
        String value = header.trim().toLowerCase(Locale.ROOT);
        // version 00 is exactly 55 chars; later versions may append fields after a dash
        if (value.length() < 55 || (value.length() > 55 && value.charAt(55) != '-') || value.startsWith("ff")) {
            return null;
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return null;
        }
        String traceId = value.substring(3, 35);
        String spanId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!hex(value.substring(0, 2)) || !hex(traceId) || !hex(spanId) || !hex(flags) || zero(traceId) || zero(spanId)) {
            return null;
        }
        return new TraceParent(traceId, spanId, (Integer.parseInt(flags, 16) & 1) == 1);
    }

    private static boolean hex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zero(String text) {
        return text.chars().allMatch(c -> c == '0');
    }
}
