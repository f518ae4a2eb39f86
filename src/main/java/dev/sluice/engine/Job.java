package dev.sluice.engine;

import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RecordDecoder;
import dev.sluice.postgres.BatchWriter;

/**
 * What a job supplies to the engine: how to decode a record, an optional process step, and how to
 * write a batch inside the transaction the engine opens and commits. Delivery (bounded prefetch,
 * per-key order, dead letters, commits after durability, exactly-once progress and fencing) is
 * the engine's; a job gets it without code of its own. See {@link Engine} for the wiring.
 *
 * @param name for logs and metrics
 * @param decoder bytes to a value, or a rejection with its reason (dead-lettered)
 * @param step runs on a virtual thread per record, may block; {@link ProcessStep#identity()} if none
 * @param writer the job's SQL for one batch; must have no effect outside the given transaction
 */
public record Job<T>(String name, RecordDecoder<T> decoder, ProcessStep<T> step, BatchWriter<T> writer) {
}
