package dev.sluice.engine;

import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The pipelines of every job in this process, by job name (in the order the jobs were found), for
 * the operations (status, drain, abort, resume, health, gauges) and for the application's
 * lifecycle: they start with the application (each per {@code sluice.source.auto-startup}) and
 * stop together, in parallel, in the phase before the web server, the Kafka producer and the
 * DataSource close, so SIGTERM drains every job within one shutdown deadline.
 *
 * <p>With no job configured the process still starts (the operations answer, with no job) and
 * says so in a WARN line: a deployment that turned the ledger off and whose job configuration did
 * not arrive is visible at once rather than failing in a restart loop.
 *
 * <p>Thread-safe: the map is fixed at construction; each pipeline is thread-safe.
 */
public final class Pipelines implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Pipelines.class);

    private final Map<String, JobPipeline> byName = new LinkedHashMap<>();

    Pipelines(List<JobPipeline> pipelines) {
        pipelines.forEach(pipeline -> byName.put(pipeline.name(), pipeline));
    }

    /** Every job's pipeline, in order. */
    public Collection<JobPipeline> all() {
        return byName.values();
    }

    public Optional<JobPipeline> find(String job) {
        return Optional.ofNullable(byName.get(job));
    }

    /** The pipeline of {@code job}, typed as the caller knows it (tests, an application's own code). */
    @SuppressWarnings("unchecked")
    public <T> KafkaPipeline<T> pipeline(String job) {
        JobPipeline found = byName.get(job);
        if (found == null) {
            throw new IllegalArgumentException("no job named '" + job + "'; jobs: " + byName.keySet());
        }
        return (KafkaPipeline<T>) found.pipeline();
    }

    /**
     * The state of the process as one value, for clients that read one: the state all jobs share, or
     * when they differ the furthest from running of ABORTING, DRAINING, STOPPED (so a client waiting
     * for STOPPED waits for every job, one waiting for RUNNING waits for every job too); STOPPED with
     * no job.
     */
    public PipelineState state() {
        return aggregate(byName.values().stream().map(pipeline -> pipeline.pipeline().status().state()).toList());
    }

    /** {@link #state()} of these states. */
    public static PipelineState aggregate(List<PipelineState> states) {
        for (PipelineState worst : List.of(PipelineState.ABORTING, PipelineState.DRAINING, PipelineState.STOPPED)) {
            if (states.contains(worst)) {
                return worst;
            }
        }
        return states.isEmpty() ? PipelineState.STOPPED : PipelineState.RUNNING;
    }

    // ---- SmartLifecycle: start with the application, stop first on shutdown ----

    @Override
    public void start() {
        if (byName.isEmpty()) {
            log.warn("no job is configured (sluice.payments.enabled=false and no other Job or JobSource bean):"
                    + " nothing will be consumed");
            return;
        }
        byName.values().forEach(job -> log.info("job {}: topic {}, group {}, dead letters to {}", job.name(), job.job().topic(),
                job.job().group(), job.job().deadLetterTopic()));
        for (JobPipeline job : byName.values()) {
            if (job.pipeline().isAutoStartup()) {
                job.pipeline().start();
            }
        }
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    /** Stops every job at once (each drains or aborts per {@code sluice.shutdown.mode}), then calls back. */
    @Override
    public void stop(Runnable callback) {
        List<Thread> stopping = new ArrayList<>();
        for (JobPipeline job : byName.values()) {
            if (job.pipeline().isRunning()) {
                stopping.add(Thread.ofPlatform().name("sluice-stop-" + job.name()).start(() -> job.pipeline().stop()));
            }
        }
        try {
            for (Thread thread : stopping) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            callback.run();
        }
    }

    @Override
    public boolean isRunning() {
        return byName.values().stream().anyMatch(job -> job.pipeline().isRunning());
    }

    @Override
    public int getPhase() {
        return KafkaPipeline.PHASE;
    }

    /** The controls of every job, for operations that act on all of them. */
    public List<PipelineControl> controls() {
        return byName.values().stream().<PipelineControl>map(JobPipeline::pipeline).toList();
    }
}
