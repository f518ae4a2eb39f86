package dev.sluice.pipeline;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
     * The context of a batch: its partitions (comma-separated), and for a single-partition batch
     * its lowest and highest offset; the trace id of its first traced record.
     */
    public static RecordLogContext ofBatch(List<InboundRecord> records) {
        if (records.size() == 1) {
            return of(records.getFirst());
        }
        Set<String> partitions = new LinkedHashSet<>();
        String traceId = null;
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (InboundRecord record : records) {
            partitions.add(record.ref().partition().toString());
            lowest = Math.min(lowest, record.ref().offset());
            highest = Math.max(highest, record.ref().offset());
            if (traceId == null) {
                TraceParent parent = TraceParent.of(record);
                traceId = parent == null ? null : parent.traceId();
            }
        }
        String offsets = partitions.size() == 1 ? lowest + ".." + highest : "";
        return new RecordLogContext(String.join(",", partitions), offsets, traceId);
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
