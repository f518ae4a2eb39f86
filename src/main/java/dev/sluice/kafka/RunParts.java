package dev.sluice.kafka;

import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.Completions;
import dev.sluice.pipeline.Failures;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.ProgressStore;
import dev.sluice.pipeline.RecordIntake;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.pipeline.SinkStage;

/**
 * The stages of one run, created together and cancelled together.
 *
 * @param dispatcher where the poll thread hands its records: the worker lanes, or the direct path
 * @param progress the exactly-once progress store, or null (at-least-once)
 * @param reclaimBackoff how long a partition fenced while still assigned waits before its claim again
 */
record RunParts(SourceProperties source, ShutdownProperties shutdown, Completions completions,
        RecordIntake dispatcher, SinkStage<?> sinkStage, KafkaDeadLetters deadLetters, FlowMetrics metrics,
        Failures.Listener failures, ProgressStore progress, Backoff backoff,
        PartitionOwnership.ReclaimBackoff reclaimBackoff) {
}
