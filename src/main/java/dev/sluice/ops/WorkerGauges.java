package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineControl;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code sluice.workers.*}: the worker limit, the workers busy, and the last time per record the
 * adaptive limit saw, per job ({@code job=<name>}), read from its pipeline's published status at
 * each scrape. Thread-safe: stateless.
 */
@Component
class WorkerGauges {

    WorkerGauges(Pipelines pipelines) {
        for (JobPipeline job : pipelines.all()) {
            register(job.meters(), job.pipeline());
        }
    }

    private static void register(MeterRegistry registry, PipelineControl pipeline) {
        Gauge.builder("sluice.workers.limit", pipeline, p -> p.status().workers().limit())
                .description("Workers that may handle records at once (the adaptive or fixed limit)").register(registry);
        Gauge.builder("sluice.workers.busy", pipeline, p -> p.status().workers().busy())
                .description("Workers handling a record right now").register(registry);
        Gauge.builder("sluice.workers.latency", pipeline, p -> p.status().workers().lastMillis() / 1000.0)
                .baseUnit("seconds").description("Time the last record took on its worker (adaptive limit only)").register(registry);
    }
}
