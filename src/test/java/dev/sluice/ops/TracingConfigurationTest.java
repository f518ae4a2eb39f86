package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tracing is a no-op unless spans go somewhere. */
class TracingConfigurationTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final Context SAMPLED_PRODUCER = Context.root().with(io.opentelemetry.api.trace.Span.wrap(
            SpanContext.createFromRemoteParent(TRACE, "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault())));

    @Test
    void withoutAnExporterNoSpanIsRecordedEvenForASampledProducer() {
        Sampler sampler = TracingConfiguration.sampler(false, 1.0);

        assertThat(decision(sampler, SAMPLED_PRODUCER)).isEqualTo(SamplingDecision.DROP);
        assertThat(decision(sampler, Context.root())).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void withAnExporterAProducersSampledTraceIsFollowedAndNewTracesUseTheProbability() {
        assertThat(decision(TracingConfiguration.sampler(true, 0.0), SAMPLED_PRODUCER)).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decision(TracingConfiguration.sampler(true, 0.0), Context.root())).isEqualTo(SamplingDecision.DROP);
        assertThat(decision(TracingConfiguration.sampler(true, 1.0), Context.root())).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    private static SamplingDecision decision(Sampler sampler, Context parent) {
        return sampler.shouldSample(parent, TRACE, "sluice.sink.write", SpanKind.INTERNAL, Attributes.empty(), List.of()).getDecision();
    }
}
