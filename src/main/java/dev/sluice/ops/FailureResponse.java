package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.ShutdownProperties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * What the process does when a run fails (a fatal poll error, an out-of-memory error in a stage),
 * per {@code sluice.shutdown.on-failure}: without it a failed pod would sit STOPPED, idle and
 * "alive" forever, and an autoscaler watching its lag might even add more. {@code fail-liveness}
 * marks liveness BROKEN (the orchestrator restarts the pod) and CORRECT again once a resume
 * brings the pipeline back to RUNNING; {@code exit} closes the context and exits with status 1.
 * The same for each job: one failed job acts on the whole process (liveness, or the exit), and
 * liveness is CORRECT again once every failed job is resumed.
 */
@Component
class FailureResponse {

    private static final Logger log = LoggerFactory.getLogger(FailureResponse.class);

    /** Jobs failed and not resumed since (fail-liveness): liveness is CORRECT again only when none is left. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    FailureResponse(Pipelines pipelines, ShutdownProperties shutdown, ConfigurableApplicationContext context) {
        for (JobPipeline job : pipelines.all()) {
            respond(job.name(), job.pipeline(), shutdown, context);
        }
    }

    private void respond(String job, PipelineControl pipeline, ShutdownProperties shutdown,
            ConfigurableApplicationContext context) {
        switch (shutdown.onFailure()) {
            case FAIL_LIVENESS -> {
                pipeline.onFailure((where, error) -> {
                    failed.add(job);
                    log.error("job {} failed in {}: liveness is now BROKEN (sluice.shutdown.on-failure=fail-liveness)", job, where);
                    AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
                });
                pipeline.onTransition((from, to) -> {
                    if (from == PipelineState.STOPPED && to == PipelineState.RUNNING && failed.remove(job) && failed.isEmpty()) {
                        AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
                    }
                });
            }
            case EXIT -> pipeline.onFailure((where, error) -> Thread.ofPlatform().name("sluice-exit").start(() -> {
                log.error("job {} failed in {}: exiting with status 1 (sluice.shutdown.on-failure=exit)", job, where);
                SpringApplication.exit(context, () -> 1);
                System.exit(1);
            }));
            case STAY_UP -> pipeline.onFailure((where, error) ->
                    log.error("job {} failed in {}: staying up STOPPED (sluice.shutdown.on-failure=stay-up)", job, where));
        }
    }
}
