package dev.sluice.pipeline;

import io.micrometer.observation.Observation;
import java.util.List;

/**
 * The observation context of work on records (a sink transaction, a dead-letter publish): the
 * records it covers, so a tracing handler can parent or link its span to each record's producer
 * trace ({@link TraceParent}). Without tracing it is a plain context (a timer).
 */
public final class TracedRecords extends Observation.Context {

    /** Spans link to at most this many producer traces, whatever the batch size. */
    public static final int MAX_LINKS = 128;

    private final List<InboundRecord> records;

    public TracedRecords(List<InboundRecord> records) {
        this.records = records;
    }

    public List<InboundRecord> records() {
        return records;
    }
}
