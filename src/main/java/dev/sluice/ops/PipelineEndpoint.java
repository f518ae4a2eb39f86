package dev.sluice.ops;

import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/pipeline}: status, and the operations drain, abort and resume. Like Boot's
 * shutdown endpoint, an operation answers at once and hands the work to the component that owns
 * it; a caller that wants to block (a preStop hook) passes {@code wait}, e.g. {@code ?wait=30s},
 * and gets 200 if the pipeline reached STOPPED within it, 202 if it is still stopping.
 */
@Component
@Endpoint(id = "pipeline")
class PipelineEndpoint {

    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Set<String> ACTIONS = Set.of("drain", "abort", "resume");

    private final PipelineControl pipeline;
    private final ShutdownProperties shutdown;
    private final SizingAdvisor sizing;

    PipelineEndpoint(PipelineControl pipeline, ShutdownProperties shutdown, SizingAdvisor sizing) {
        this.pipeline = pipeline;
        this.shutdown = shutdown;
        this.sizing = sizing;
    }

    @ReadOperation
    StatusView status() {
        return new StatusView(pipeline.status(), sizing.advice());
    }

    /**
     * Runs {@code action} ({@code drain}, {@code abort} or {@code resume}). Parameters come from the
     * query ({@code ?wait=30s}) or a JSON body ({@code {"wait":"30s"}}); a POST with neither is
     * fine (see {@link BarePostContentType}). An unknown action or a value that is not a duration
     * answers 400 with a message.
     *
     * @param wait how long to block for the pipeline to reach the state the action leads to
     *     (STOPPED or RUNNING), e.g. {@code 30s}; absent: answer at once
     * @param deadline for drain: when to turn into an abort (default sluice.shutdown.drain-deadline)
     */
    @WriteOperation
    WebEndpointResponse<ActionResult> act(@Selector String action, @Nullable String wait, @Nullable String deadline)
            throws InterruptedException {
        if (!ACTIONS.contains(action)) {
            return refused(action, "unknown action '" + action + "'; use drain, abort or resume");
        }
        Duration waitFor;
        Duration drainDeadline;
        try {
            waitFor = min(duration("wait", wait, Duration.ZERO), MAX_WAIT);
            drainDeadline = duration("deadline", deadline, shutdown.drainDeadline());
        } catch (IllegalArgumentException e) {
            return refused(action, e.getMessage());
        }
        switch (action) {
            case "drain" -> pipeline.drain(drainDeadline);
            case "abort" -> pipeline.abort();
            default -> pipeline.resume();
        }
        boolean done = action.equals("resume") || pipeline.awaitStopped(waitFor);
        PipelineStatus status = pipeline.status();
        String message = done ? "done" : "still " + status.state().name().toLowerCase(Locale.ROOT) + "; poll GET /actuator/pipeline";
        return new WebEndpointResponse<>(new ActionResult(action, done, status.state(), message, status.lastStop()),
                done ? WebEndpointResponse.STATUS_OK : 202);
    }

    private WebEndpointResponse<ActionResult> refused(String action, String message) {
        return new WebEndpointResponse<>(new ActionResult(action, false, pipeline.status().state(), message, null),
                WebEndpointResponse.STATUS_BAD_REQUEST);
    }

    /** {@code 30s}, {@code 500ms}, {@code PT1M} or plain milliseconds; never negative. */
    static Duration duration(String name, @Nullable String value, Duration absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        Duration parsed;
        try {
            parsed = DurationStyle.detectAndParse(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "='" + value + "' is not a duration; use e.g. 30s, 500ms or PT1M");
        }
        if (parsed.isNegative()) {
            throw new IllegalArgumentException(name + "='" + value + "' is negative");
        }
        return parsed;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The answer to a write operation. */
    record ActionResult(String action, boolean done, PipelineState state, String message, @Nullable StopReport lastStop) {
    }

    /** Status plus the in-flight bound Little's law suggests for the observed traffic. */
    record StatusView(PipelineStatus pipeline, SizingAdvisor.Advice sizing) {
    }
}
