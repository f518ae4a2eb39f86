package dev.sluice.jobs;

import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RecordDecoder;
import dev.sluice.postgres.BatchWriter;

/**
 * What one declarative job hands the engine, ready to wrap in a {@code Job}: names, decoder,
 * process step and writer. Built by {@link DeclarativeJobs#create}.
 *
 * @param name the job's name ({@code sluice.jobs.<name>}): logs, metric tags, status
 * @param topic the topic it reads
 * @param group its consumer group
 * @param deadLetterTopic where its rejected records go
 * @param decoder bytes to a {@link JobRow} (JSON), or to a pending row (Avro: read in {@code step})
 * @param step identity for JSON; for Avro, reads and converts the value (may block on the registry)
 * @param writer the set-based write of a batch
 */
public record JobParts(String name, String topic, String group, String deadLetterTopic, RecordDecoder<JobRow> decoder,
        ProcessStep<JobRow> step, BatchWriter<JobRow> writer) {
}
