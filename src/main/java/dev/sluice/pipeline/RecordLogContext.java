package dev.sluice.pipeline;

import dev.sluice.offsets.PartitionId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.MDC;

/**
 * Puts a record's (or batch's) position and producer trace id into the logging context (MDC) for
 * the lines written while it is open, and restores what was there before on close. Keys:
 * {@code sluice.partition} (topic-partition), {@code sluice.offset} (offset, or first..last of a
 * batch), {@code traceId} (the producer's, unless a span in scope already set one). Confined to
 * the thread that opened it.
 */
public final class RecordLogContext implements AutoCloseable {

    public static final String PARTITION = "sluice.partition";
    public static final String OFFSET = "sluice.offset";
    public static final String TRACE_ID = "traceId";

    private final String previousPartition;
    private final String previousOffset;
    private final String previousTrace;

    private RecordLogContext(String partition, String offset, String traceId) {
        previousPartition = MDC.get(PARTITION);
        previousOffset = MDC.get(OFFSET);
        previousTrace = MDC.get(TRACE_ID);
        MDC.put(PARTITION, partition);
        MDC.put(OFFSET, offset);
        if (traceId != null && previousTrace == null) {
            MDC.put(TRACE_ID, traceId);
        }
    }

    /** The context of one record. */
    public static RecordLogContext of(InboundRecord record) {
        TraceParent parent = TraceParent.of(record);
        return new RecordLogContext(record.ref().partition().toString(), Long.toString(record.ref().offset()),
                parent == null ? null : parent.traceId());
    }

    /**
     * The context of a batch: its partitions (comma-separated, in first-seen order) and, in the
     * same order, each one's lowest and highest offset ({@code 10..20,5..9}); the trace id of its
     * first traced record. Bounded by the number of partitions, not by the batch size.
     */
    public static RecordLogContext ofBatch(List<InboundRecord> records) {
        if (records.size() == 1) {
            return of(records.getFirst());
        }
        // keyed by partition, named once per partition: it runs for every batch, twice
        Map<PartitionId, long[]> ranges = new LinkedHashMap<>();
        String traceId = null;
        for (InboundRecord record : records) {
            long offset = record.ref().offset();
            long[] range = ranges.computeIfAbsent(record.ref().partition(), p -> new long[] {offset, offset});
            range[0] = Math.min(range[0], offset);
            range[1] = Math.max(range[1], offset);
            if (traceId == null && !record.headers().isEmpty()) {
                TraceParent parent = TraceParent.of(record);
                traceId = parent == null ? null : parent.traceId();
            }
        }
        StringJoiner partitions = new StringJoiner(",");
        StringJoiner offsets = new StringJoiner(",");
        ranges.forEach((partition, range) -> {
            partitions.add(partition.toString());
            offsets.add(range[0] + ".." + range[1]);
        });
        return new RecordLogContext(partitions.toString(), offsets.toString(), traceId);
    }

    @Override
    public void close() {
        restore(PARTITION, previousPartition);
        restore(OFFSET, previousOffset);
        restore(TRACE_ID, previousTrace);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
