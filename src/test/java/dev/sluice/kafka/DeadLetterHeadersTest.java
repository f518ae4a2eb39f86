package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RecordHeader;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/** The dead-letter header contract (README "Dead-letter headers") and the replay filter. */
class DeadLetterHeadersTest {

    private final DeadLetterHeaders contract = new DeadLetterHeaders("sluice-group");

    @Test
    void aDeadLetterKeepsTheOriginalHeadersInOrderThenSluicesOwn() {
        InboundRecord record = record(List.of(header("traceparent", "tp"), header("x-origin", "checkout"), header("x-origin", "again")));

        Headers headers = contract.of(record, Rejection.byError(RejectReason.INVALID, Rejection.Stage.PROCESS, "step failed",
                new IllegalStateException("no"), 3));

        assertThat(keys(headers)).containsExactly("traceparent", "x-origin", "x-origin", "sluice.error.reason", "sluice.error.stage",
                "sluice.error.detail", "sluice.error.exception", "sluice.error.attempts", "sluice.source.topic",
                "sluice.source.partition", "sluice.source.offset", "sluice.source.timestamp", "sluice.source.group");
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.reason")).isEqualTo("invalid");
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.stage")).isEqualTo("process");
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.exception")).isEqualTo("java.lang.IllegalStateException");
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.attempts")).isEqualTo("3");
        assertThat(DeadLetterHeaders.text(headers, "sluice.source.topic")).isEqualTo("payments");
        assertThat(DeadLetterHeaders.text(headers, "sluice.source.partition")).isEqualTo("4");
        assertThat(DeadLetterHeaders.text(headers, "sluice.source.offset")).isEqualTo("77");
        assertThat(DeadLetterHeaders.text(headers, "sluice.source.timestamp")).isEqualTo(Long.toString(Instant.parse("2026-11-29T10:00:00Z").toEpochMilli()));
        assertThat(DeadLetterHeaders.text(headers, "sluice.source.group")).isEqualTo("sluice-group");
    }

    @Test
    void aRuleHasNoExceptionHeaderAndTheDetailIsBounded() {
        Headers headers = contract.of(record(List.of()), Rejection.byRule(RejectReason.MALFORMED, Rejection.Stage.DECODE, "x".repeat(5000)));

        assertThat(headers.lastHeader("sluice.error.exception")).isNull();
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.stage")).isEqualTo("decode");
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.attempts")).isEqualTo("1");
        assertThat(DeadLetterHeaders.text(headers, "sluice.error.detail")).hasSize(1000);
    }

    @Test
    void originalHeadersNamedLikeSluicesAreNotCopiedAndReplayRestoresTheRest() {
        InboundRecord record = record(List.of(header("sluice.error.reason", "forged"), header("x-origin", "checkout"),
                header("sluice.replay.of", "payments.DLT-0@3")));

        Headers letter = contract.of(record, Rejection.byRule(RejectReason.INVALID, Rejection.Stage.VALIDATE, "bad"));

        assertThat(DeadLetterHeaders.text(letter, "sluice.error.reason")).isEqualTo("invalid");
        assertThat(keys(DeadLetterHeaders.originals(letter))).containsExactly("x-origin", "sluice.replay.of");
    }

    @Test
    void theReplayFilterCombinesItsCriteria() {
        long at = Instant.parse("2026-11-29T10:00:00Z").toEpochMilli();
        ReplayFilter filter = new ReplayFilter(Set.of(RejectReason.INVALID), 2, 10L, 20L, Instant.ofEpochMilli(at),
                Instant.ofEpochMilli(at + 1000), null);

        assertThat(filter.matches(RejectReason.INVALID, 2, 10, at)).isTrue();
        assertThat(filter.matches(RejectReason.INVALID, 2, 20, at + 999)).isTrue();
        assertThat(filter.matches(RejectReason.MALFORMED, 2, 15, at)).isFalse();
        assertThat(filter.matches(RejectReason.INVALID, 1, 15, at)).isFalse();
        assertThat(filter.matches(RejectReason.INVALID, 2, 9, at)).isFalse();
        assertThat(filter.matches(RejectReason.INVALID, 2, 21, at)).isFalse();
        assertThat(filter.matches(RejectReason.INVALID, 2, 15, at - 1)).isFalse();
        assertThat(filter.matches(RejectReason.INVALID, 2, 15, at + 1000)).isFalse();
        assertThat(ReplayFilter.all().matches(RejectReason.CONFLICT, 0, 0, 0)).isTrue();
        assertThatThrownBy(() -> new ReplayFilter(null, null, 5L, 4L, null, null, null)).hasMessageContaining("fromOffset");
        assertThatThrownBy(() -> new ReplayFilter(null, null, null, null, null, null, -1L)).hasMessageContaining("limit");
    }

    private static InboundRecord record(List<RecordHeader> headers) {
        return new InboundRecord(new RecordRef(new PartitionId("payments", 4), 1, 77, 1), null, new byte[1],
                Instant.parse("2026-11-29T10:00:00Z").toEpochMilli(), headers);
    }

    private static RecordHeader header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> keys(Headers headers) {
        List<String> keys = new ArrayList<>();
        for (Header header : headers) {
            keys.add(header.key());
        }
        return keys;
    }
}
