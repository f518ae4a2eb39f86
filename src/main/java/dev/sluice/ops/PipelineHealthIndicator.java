package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code pipeline}, part of the readiness group: UP while every job is RUNNING,
 * OUT_OF_SERVICE from the moment a drain or abort of any job starts and while one is STOPPED, so
 * traffic-routing and rollouts see a stopping pod at once. Backpressure (a paused source) is
 * normal operation and does not change it; liveness never includes it. With no job configured it
 * is UP (there is nothing to stop). Details: the jobs' states as one, and each job's.
 */
@Component
class PipelineHealthIndicator implements HealthIndicator {

    private final Pipelines pipelines;
    private final StuckWork stuckWork;

    PipelineHealthIndicator(Pipelines pipelines, StuckWork stuckWork) {
        this.pipelines = pipelines;
        this.stuckWork = stuckWork;
    }

    @Override
    public Health health() {
        boolean up = true;
        Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
        for (JobPipeline job : pipelines.all()) {
            PipelineStatus status = job.pipeline().status();
            boolean stuck = stuckWork.isStuck(status);
            up &= status.state() == PipelineState.RUNNING && !(stuck && stuckWork.failsReadiness());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("state", status.state());
            details.put("inFlight", status.inFlight());
            details.put("maxInFlight", status.maxInFlight());
            details.put("paused", status.paused());
            details.put("oldestInFlightMillis", status.oldestInFlightMillis());
            details.put("stuck", stuck);
            jobs.put(job.name(), details);
        }
        PipelineState state = Pipelines.aggregate(jobs.values().stream().map(job -> (PipelineState) job.get("state")).toList());
        return (up ? Health.up() : Health.outOfService()).withDetail("state", jobs.isEmpty() ? "no job" : state)
                .withDetail("jobs", jobs)
                .build();
    }
}
