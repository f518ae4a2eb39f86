package dev.sluice.kafka;

import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RecordHeader;
import dev.sluice.pipeline.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter header contract (README "Dead-letter headers"): a dead letter carries the
 * original record's headers unchanged, in their order, followed by Sluice's own. Replay strips
 * Sluice's error and source headers and restores the rest. Stateless and thread-safe.
 */
final class DeadLetterHeaders {

    static final String REASON = "sluice.error.reason";
    static final String STAGE = "sluice.error.stage";
    static final String DETAIL = "sluice.error.detail";
    static final String EXCEPTION = "sluice.error.exception";
    static final String ATTEMPTS = "sluice.error.attempts";
    static final String SOURCE_TOPIC = "sluice.source.topic";
    static final String SOURCE_PARTITION = "sluice.source.partition";
    static final String SOURCE_OFFSET = "sluice.source.offset";
    static final String SOURCE_TIMESTAMP = "sluice.source.timestamp";
    static final String SOURCE_GROUP = "sluice.source.group";
    /** On a replayed record: which dead letter it came from, {@code <dlt topic>-<partition>@<offset>}. */
    static final String REPLAY_OF = "sluice.replay.of";
    /** On a replayed record: the replay run that sent it. */
    static final String REPLAY_RUN = "sluice.replay.run";
    /** Header families Sluice writes; an original header of these names would be ambiguous, so it is not copied. */
    private static final List<String> OWN_PREFIXES = List.of("sluice.error.", "sluice.source.");
    private static final int MAX_DETAIL = 1000;

    private final String group;

    /** @param group the consumer group that dead-lettered the records */
    DeadLetterHeaders(String group) {
        this.group = group;
    }

    /** The headers of {@code record}'s dead letter. */
    Headers of(InboundRecord record, Rejection rejection) {
        RecordHeaders headers = new RecordHeaders();
        for (RecordHeader original : record.headers()) {
            if (!isOwn(original.key())) {
                headers.add(original.key(), original.value());
            }
        }
        String detail = rejection.detail();
        headers.add(REASON, utf8(rejection.reason().header()));
        headers.add(STAGE, utf8(rejection.stage().header()));
        headers.add(DETAIL, utf8(detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail));
        if (rejection.exceptionClass() != null) {
            headers.add(EXCEPTION, utf8(rejection.exceptionClass()));
        }
        headers.add(ATTEMPTS, utf8(Integer.toString(rejection.attempts())));
        headers.add(SOURCE_TOPIC, utf8(record.ref().partition().topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(record.ref().partition().partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(record.ref().offset())));
        headers.add(SOURCE_TIMESTAMP, utf8(Long.toString(record.timestamp())));
        headers.add(SOURCE_GROUP, utf8(group));
        return headers;
    }

    /** The original record's headers on a dead letter: all but Sluice's error and source headers. */
    static Headers originals(Headers deadLetter) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : deadLetter) {
            if (!isOwn(header.key())) {
                headers.add(header);
            }
        }
        return headers;
    }

    /** The last value of {@code key} as UTF-8, or null. */
    static String text(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A polled record's headers as the pipeline's type (shared empty list for the common case of none). */
    static List<RecordHeader> inbound(Headers headers) {
        Header[] all = headers.toArray();
        if (all.length == 0) {
            return List.of();
        }
        RecordHeader[] copies = new RecordHeader[all.length];
        for (int i = 0; i < all.length; i++) {
            copies[i] = new RecordHeader(all[i].key(), all[i].value());
        }
        return List.of(copies);
    }

    private static boolean isOwn(String key) {
        for (String prefix : OWN_PREFIXES) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
