package dev.sluice.ops;

import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Watches the age of the oldest in-flight record: logs once when work becomes stuck (and once when
 * it recovers), exposes {@code sluice.stuck} (1 while stuck), and tells the health indicator.
 *
 * <p>Thread-safe: {@code stuck} is written only by the single checker thread.
 */
@Component
class StuckWork implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(StuckWork.class);

    private final PipelineControl pipeline;
    private final StuckWorkProperties properties;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-stuck-check").daemon(true).factory());
    /** Written by the checker thread only. */
    private volatile boolean stuck;

    StuckWork(PipelineControl pipeline, StuckWorkProperties properties, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.properties = properties;
        Gauge.builder("sluice.stuck", this, s -> s.stuck ? 1 : 0)
                .description("1 while a record has been in flight longer than sluice.stuck.threshold").register(registry);
        long interval = properties.checkInterval().toMillis();
        checker.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
    }

    boolean isStuck(PipelineStatus status) {
        return status.oldestInFlightMillis() > properties.threshold().toMillis();
    }

    boolean failsReadiness() {
        return properties.action() == StuckWorkProperties.Action.NOT_READY;
    }

    private void check() {
        try {
            PipelineStatus status = pipeline.status();
            boolean now = isStuck(status);
            if (now && !stuck) {
                log.warn("stuck work: a record has been in flight for {} ms (threshold {}); {} in flight, {} retries so far; action {}",
                        status.oldestInFlightMillis(), properties.threshold(), status.inFlight(), status.totals().retries(),
                        properties.action());
            } else if (!now && stuck) {
                log.info("stuck work cleared: oldest in-flight record is {} ms old", status.oldestInFlightMillis());
            }
            stuck = now;
        } catch (RuntimeException e) {
            log.debug("stuck-work check failed: {}", e.toString());
        }
    }

    @Override
    public void destroy() {
        checker.shutdownNow();
    }
}
