package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * {@code /actuator/pipeline}: status, and the operations drain, abort and resume, of every job's
 * pipeline or of one ({@code ?job=orders}). Like Boot's shutdown endpoint, an operation answers at
 * once and hands the work to the component that owns it; a caller that wants to block (a preStop
 * hook) passes {@code wait}, e.g. {@code ?wait=30s}, and gets 200 if every pipeline it acted on
 * reached STOPPED within it, 202 if one is still stopping. The top-level {@code state} is the jobs'
 * states as one ({@link Pipelines#state()}); {@code jobs} has each job's status and sizing advice.
 */
@Component
@Endpoint(id = "pipeline")
class PipelineEndpoint {

    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Set<String> ACTIONS = Set.of("drain", "abort", "resume");

    private final Pipelines pipelines;
    private final ShutdownProperties shutdown;
    private final SizingAdvisor sizing;

    PipelineEndpoint(Pipelines pipelines, ShutdownProperties shutdown, SizingAdvisor sizing) {
        this.pipelines = pipelines;
        this.shutdown = shutdown;
        this.sizing = sizing;
    }

    @ReadOperation
    StatusView status() {
        Map<String, JobView> jobs = new LinkedHashMap<>();
        for (JobPipeline job : pipelines.all()) {
            PipelineStatus status = job.pipeline().status();
            jobs.put(job.name(), new JobView(job.job().topic(), job.job().group(), job.job().deadLetterTopic(), status,
                    sizing.advice(status)));
        }
        return new StatusView(Pipelines.aggregate(jobs.values().stream().map(view -> view.pipeline().state()).toList()), jobs);
    }

    /**
     * Runs {@code action} ({@code drain}, {@code abort} or {@code resume}) on every job, or on
     * {@code job}. Parameters come from the query ({@code ?wait=30s&job=orders}) or a JSON body
     * ({@code {"wait":"30s"}}); a POST with neither is fine (see {@link BarePostContentType}). An
     * unknown action or job, or a value that is not a duration, answers 400 with a message.
     *
     * @param wait how long to block for the pipelines to reach the state the action leads to
     *     (STOPPED or RUNNING), e.g. {@code 30s}; absent: answer at once
     * @param deadline for drain: when to turn into an abort (default sluice.shutdown.drain-deadline)
     * @param job the one job to act on; absent: every job
     */
    @WriteOperation
    WebEndpointResponse<ActionResult> act(@Selector String action, @Nullable String wait, @Nullable String deadline,
            @Nullable String job) throws InterruptedException {
        if (!ACTIONS.contains(action)) {
            return refused(action, "unknown action '" + action + "'; use drain, abort or resume");
        }
        List<JobPipeline> targets;
        if (job == null || job.isBlank()) {
            targets = List.copyOf(pipelines.all());
        } else {
            JobPipeline found = pipelines.find(job.strip()).orElse(null);
            if (found == null) {
                return refused(action, "unknown job '" + job + "'; jobs: "
                        + String.join(", ", pipelines.all().stream().map(JobPipeline::name).toList()));
            }
            targets = List.of(found);
        }
        Duration waitFor;
        Duration drainDeadline;
        try {
            waitFor = min(duration("wait", wait, Duration.ZERO), MAX_WAIT);
            drainDeadline = duration("deadline", deadline, shutdown.drainDeadline());
        } catch (IllegalArgumentException e) {
            return refused(action, e.getMessage());
        }
        for (JobPipeline target : targets) {
            PipelineControl pipeline = target.pipeline();
            switch (action) {
                case "drain" -> pipeline.drain(drainDeadline);
                case "abort" -> pipeline.abort();
                default -> pipeline.resume();
            }
        }
        boolean done = action.equals("resume") || awaitStopped(targets, waitFor);
        Map<String, JobResult> results = new LinkedHashMap<>();
        targets.forEach(target -> {
            PipelineStatus status = target.pipeline().status();
            results.put(target.name(), new JobResult(status.state(), status.lastStop()));
        });
        PipelineState state = Pipelines.aggregate(results.values().stream().map(JobResult::state).toList());
        String message = done ? "done" : "still " + state.name().toLowerCase(Locale.ROOT) + "; poll GET /actuator/pipeline";
        StopReport lastStop = results.size() == 1 ? results.values().iterator().next().lastStop() : null;
        return new WebEndpointResponse<>(new ActionResult(action, done, state, message, lastStop, results),
                done ? WebEndpointResponse.STATUS_OK : 202);
    }

    /** Waits for every target to stop, all within {@code timeout} from now. */
    private static boolean awaitStopped(List<JobPipeline> targets, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        boolean stopped = true;
        for (JobPipeline target : targets) {
            Duration left = Duration.ofNanos(Math.max(0, until - System.nanoTime()));
            stopped &= target.pipeline().awaitStopped(left);
        }
        return stopped;
    }

    private WebEndpointResponse<ActionResult> refused(String action, String message) {
        return new WebEndpointResponse<>(new ActionResult(action, false, pipelines.state(), message, null, Map.of()),
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

    /**
     * The answer to a write operation: the targets' states as one, and each target's.
     *
     * @param lastStop the target's last stop report when the action had one target
     */
    record ActionResult(String action, boolean done, PipelineState state, String message, @Nullable StopReport lastStop,
            Map<String, JobResult> jobs) {
    }

    /** One job after an action. */
    record JobResult(PipelineState state, @Nullable StopReport lastStop) {
    }

    /** The jobs' states as one, and each job's status. */
    record StatusView(PipelineState state, Map<String, JobView> jobs) {
    }

    /** A job's source, its pipeline's status, and the in-flight bound Little's law suggests for its traffic. */
    record JobView(String topic, String group, String deadLetterTopic, PipelineStatus pipeline, SizingAdvisor.Advice sizing) {
    }
}
