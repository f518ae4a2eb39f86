package dev.sluice.engine;

import dev.sluice.kafka.KafkaPipeline;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A job running on the engine: the job, its pipeline, and the view of the application's registry
 * that tags each meter with {@code job=<name>} (per-job gauges register there).
 */
public record JobPipeline(Job<?> job, KafkaPipeline<?> pipeline, MeterRegistry meters) {

    public String name() {
        return job.name();
    }
}
