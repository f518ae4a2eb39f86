package dev.sluice.ops;

import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code pipeline}, part of the readiness group: UP while RUNNING,
 * OUT_OF_SERVICE from the moment a drain or abort starts and while STOPPED, so traffic-routing
 * and rollouts see a stopping pod at once. Backpressure (a paused source) is normal operation
 * and does not change it; liveness never includes it.
 */
@Component
class PipelineHealthIndicator implements HealthIndicator {

    private final PipelineControl pipeline;
    private final StuckWork stuckWork;

    PipelineHealthIndicator(PipelineControl pipeline, StuckWork stuckWork) {
        this.pipeline = pipeline;
        this.stuckWork = stuckWork;
    }

    @Override
    public Health health() {
        PipelineStatus status = pipeline.status();
        boolean stuck = stuckWork.isStuck(status);
        Health.Builder builder = status.state() == PipelineState.RUNNING && !(stuck && stuckWork.failsReadiness())
                ? Health.up() : Health.outOfService();
        return builder.withDetail("state", status.state())
                .withDetail("inFlight", status.inFlight())
                .withDetail("maxInFlight", status.maxInFlight())
                .withDetail("paused", status.paused())
                .withDetail("oldestInFlightMillis", status.oldestInFlightMillis())
                .withDetail("stuck", stuck)
                .build();
    }
}
