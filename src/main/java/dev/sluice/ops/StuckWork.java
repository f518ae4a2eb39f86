package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineStatus;
import io.micrometer.core.instrument.Gauge;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Watches the age of each job's oldest in-flight record: logs once when a job's work becomes stuck
 * (and once when it recovers), exposes {@code sluice.stuck{job}} (1 while stuck), and tells the
 * health indicator.
 *
 * <p>Thread-safe: {@code stuck} is written only by the single checker thread.
 */
@Component
class StuckWork implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(StuckWork.class);

    private final Pipelines pipelines;
    private final StuckWorkProperties properties;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-stuck-check").daemon(true).factory());
    /** By job; written by the checker thread only. */
    private final Map<String, Boolean> stuck = new ConcurrentHashMap<>();

    StuckWork(Pipelines pipelines, StuckWorkProperties properties) {
        this.pipelines = pipelines;
        this.properties = properties;
        for (JobPipeline job : pipelines.all()) {
            stuck.put(job.name(), false);
            Gauge.builder("sluice.stuck", stuck, s -> s.get(job.name()) ? 1 : 0)
                    .description("1 while a record has been in flight longer than sluice.stuck.threshold").register(job.meters());
        }
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
        Map<String, Boolean> now = new LinkedHashMap<>();
        for (JobPipeline job : pipelines.all()) {
            try {
                now.put(job.name(), check(job));
            } catch (RuntimeException e) {
                log.debug("stuck-work check of job {} failed: {}", job.name(), e.toString());
            }
        }
        stuck.putAll(now);
    }

    private boolean check(JobPipeline job) {
        PipelineStatus status = job.pipeline().status();
        boolean now = isStuck(status);
        boolean before = stuck.get(job.name());
        if (now && !before) {
            log.warn("stuck work in job {}: a record has been in flight for {} ms (threshold {}); {} in flight, {} retries so far;"
                            + " action {}", job.name(), status.oldestInFlightMillis(), properties.threshold(), status.inFlight(),
                    status.totals().retries(), properties.action());
        } else if (!now && before) {
            log.info("stuck work cleared in job {}: oldest in-flight record is {} ms old", job.name(), status.oldestInFlightMillis());
        }
        return now;
    }

    @Override
    public void destroy() {
        checker.shutdownNow();
    }
}
