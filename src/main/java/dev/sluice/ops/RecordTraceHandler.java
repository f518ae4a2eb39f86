package dev.sluice.ops;

import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.TraceParent;
import dev.sluice.pipeline.TracedRecords;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;

/**
 * Spans of work on records ({@link TracedRecords}: a sink transaction, a dead-letter publish)
 * tied to the producers' traces read from each record's {@code traceparent}: work on one traced
 * record is a child span in its producer's trace; work on a batch starts its own trace and links
 * to each record's producer span (at most {@link TracedRecords#MAX_LINKS}). Runs before Boot's
 * default tracing handler, which would otherwise take these contexts. Stateless, thread-safe.
 */
final class RecordTraceHandler implements TracingObservationHandler<TracedRecords> {

    private final Tracer tracer;

    RecordTraceHandler(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void onStart(TracedRecords context) {
        Span.Builder builder = tracer.spanBuilder().name(getSpanName(context));
        if (context.records().size() == 1) {
            TraceParent parent = TraceParent.of(context.records().getFirst());
            if (parent != null) {
                builder.setParent(traceContext(parent));
            } else {
                builder.setNoParent();
            }
        } else {
            builder.setNoParent();
            int links = 0;
            for (InboundRecord record : context.records()) {
                TraceParent parent = TraceParent.of(record);
                if (parent != null) {
                    builder.addLink(new Link(traceContext(parent)));
                    if (++links == TracedRecords.MAX_LINKS) {
                        break;
                    }
                }
            }
        }
        getTracingContext(context).setSpan(builder.start());
    }

    @Override
    public void onStop(TracedRecords context) {
        Span span = getRequiredSpan(context);
        span.name(getSpanName(context));
        tagSpan(context, span);
        endSpan(context, span);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof TracedRecords;
    }

    @Override
    public Tracer getTracer() {
        return tracer;
    }

    private TraceContext traceContext(TraceParent parent) {
        return tracer.traceContextBuilder().traceId(parent.traceId()).spanId(parent.spanId()).sampled(parent.sampled()).build();
    }
}
