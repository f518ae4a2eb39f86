package dev.sluice.ops;

import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
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
     * Runs {@code action} ({@code drain}, {@code abort} or {@code resume}).
     *
     * @param wait how long to block for the pipeline to reach the state the action leads to
     *     (STOPPED or RUNNING); absent: answer at once
     * @param deadline for drain: when to turn into an abort (default sluice.shutdown.drain-deadline)
     */
    @WriteOperation
    WebEndpointResponse<ActionResult> act(@Selector String action, @Nullable Duration wait, @Nullable Duration deadline)
            throws InterruptedException {
        Duration waitFor = wait == null ? Duration.ZERO : min(wait, MAX_WAIT);
        PipelineState state = switch (action) {
            case "drain" -> pipeline.drain(deadline == null ? shutdown.drainDeadline() : deadline);
            case "abort" -> pipeline.abort();
            case "resume" -> pipeline.resume();
            default -> null;
        };
        if (state == null) {
            return new WebEndpointResponse<>(new ActionResult(action, false, pipeline.status().state(),
                    "unknown action; use drain, abort or resume", null), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        boolean done = action.equals("resume") || pipeline.awaitStopped(waitFor);
        PipelineStatus status = pipeline.status();
        String message = done ? "done" : "still " + status.state().name().toLowerCase() + "; poll GET /actuator/pipeline";
        return new WebEndpointResponse<>(new ActionResult(action, done, status.state(), message, status.lastStop()),
                done ? WebEndpointResponse.STATUS_OK : 202);
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
