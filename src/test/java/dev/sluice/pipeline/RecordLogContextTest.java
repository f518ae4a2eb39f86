package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The producer's trace context read from a record, and the log context of lines about records and batches. */
class RecordLogContextTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void aRecordsPositionAndProducerTraceAreInTheContextWhileOpenAndRestoredAfter() {
        MDC.put(RecordLogContext.PARTITION, "outer");
        try (RecordLogContext context = RecordLogContext.of(record(3, 42, "00-" + TRACE + "-" + SPAN + "-01"))) {
            assertThat(MDC.get(RecordLogContext.PARTITION)).isEqualTo("payments-3");
            assertThat(MDC.get(RecordLogContext.OFFSET)).isEqualTo("42");
            assertThat(MDC.get(RecordLogContext.TRACE_ID)).isEqualTo(TRACE);
        }
        assertThat(MDC.get(RecordLogContext.PARTITION)).isEqualTo("outer");
        assertThat(MDC.get(RecordLogContext.OFFSET)).isNull();
        assertThat(MDC.get(RecordLogContext.TRACE_ID)).isNull();
    }

    @Test
    void aSpanInScopeKeepsItsTraceId() {
        MDC.put(RecordLogContext.TRACE_ID, "span-trace");
        try (RecordLogContext context = RecordLogContext.of(record(0, 1, "00-" + TRACE + "-" + SPAN + "-01"))) {
            assertThat(MDC.get(RecordLogContext.TRACE_ID)).isEqualTo("span-trace");
        }
        assertThat(MDC.get(RecordLogContext.TRACE_ID)).isEqualTo("span-trace");
    }

    @Test
    void aBatchShowsEachPartitionsOffsetRangeAndTheFirstTracedRecordsTrace() {
        List<InboundRecord> batch = List.of(record(1, 10, null), record(1, 12, "00-" + TRACE + "-" + SPAN + "-00"), record(1, 11, null));
        try (RecordLogContext context = RecordLogContext.ofBatch(batch)) {
            assertThat(MDC.get(RecordLogContext.PARTITION)).isEqualTo("payments-1");
            assertThat(MDC.get(RecordLogContext.OFFSET)).isEqualTo("10..12");
            assertThat(MDC.get(RecordLogContext.TRACE_ID)).isEqualTo(TRACE);
        }
        try (RecordLogContext context = RecordLogContext.ofBatch(List.of(record(1, 10, null), record(2, 5, null), record(1, 7, null),
                record(2, 9, null)))) {
            assertThat(MDC.get(RecordLogContext.PARTITION)).isEqualTo("payments-1,payments-2");
            assertThat(MDC.get(RecordLogContext.OFFSET)).isEqualTo("7..10,5..9");
            assertThat(MDC.get(RecordLogContext.TRACE_ID)).isNull();
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void onlyAWellFormedTraceparentIsAContext() {
        assertThat(TraceParent.parse("00-" + TRACE + "-" + SPAN + "-01")).isEqualTo(new TraceParent(TRACE, SPAN, true));
        assertThat(TraceParent.parse("00-" + TRACE.toUpperCase() + "-" + SPAN + "-00")).isEqualTo(new TraceParent(TRACE, SPAN, false));
        assertThat(TraceParent.parse("01-" + TRACE + "-" + SPAN + "-01-future")).isEqualTo(new TraceParent(TRACE, SPAN, true));
        assertThat(TraceParent.parse(null)).isNull();
        assertThat(TraceParent.parse("")).isNull();
        assertThat(TraceParent.parse("ff-" + TRACE + "-" + SPAN + "-01")).as("version ff is invalid").isNull();
        assertThat(TraceParent.parse("00-" + "0".repeat(32) + "-" + SPAN + "-01")).as("all-zero trace id").isNull();
        assertThat(TraceParent.parse("00-" + TRACE + "-" + "0".repeat(16) + "-01")).as("all-zero span id").isNull();
        assertThat(TraceParent.parse("00-" + TRACE.substring(1) + "x-" + SPAN + "-01")).as("not hex").isNull();
        assertThat(TraceParent.parse("00-" + TRACE + "-" + SPAN + "-01x")).as("junk after version 00's fields").isNull();
    }

    @Test
    void theLastTraceparentHeaderWins() {
        InboundRecord record = new InboundRecord(new RecordRef(new PartitionId("payments", 0), 1, 0, 1), null, new byte[1], 0L, List.of(
                new RecordHeader("traceparent", utf8("00-" + "1".repeat(32) + "-" + SPAN + "-01")),
                new RecordHeader("traceparent", utf8("00-" + TRACE + "-" + SPAN + "-01"))));
        assertThat(TraceParent.of(record).traceId()).isEqualTo(TRACE);
    }

    private static InboundRecord record(int partition, long offset, String traceparent) {
        List<RecordHeader> headers = traceparent == null ? List.of() : List.of(new RecordHeader("traceparent", utf8(traceparent)));
        return new InboundRecord(new RecordRef(new PartitionId("payments", partition), 1, offset, 1), null, new byte[1], 0L, headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
