package dev.sluice.engine;

import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RecordDecoder;
import dev.sluice.postgres.BatchWriter;
import java.util.Objects;

/**
 * What a job supplies to the engine: where its records come from, how to decode one, an optional
 * process step, and how to write a batch inside the transaction the engine opens and commits.
 * Delivery (bounded prefetch, per-key order, dead letters, commits after durability, exactly-once
 * progress and fencing) is the engine's; a job gets it without code of its own and never names a
 * Kafka type. A {@code Job} bean (or a {@link JobSource}'s job) is the whole seam:
 * <pre>{@code
 * @Bean Job<Order> orders() { return Job.of("orders", "orders", new OrderDecoder(), new OrderWriter()); }
 * }</pre>
 *
 * @param name the job's name in logs, metric tags ({@code job=<name>}), the status and {@code ?job=}
 * @param topic the topic its records are read from
 * @param group its consumer group, and the key of its exactly-once progress in PostgreSQL
 * @param deadLetterTopic where its rejected records go, with the dead-letter headers
 * @param decoder bytes to a value, or a rejection with its reason (dead-lettered)
 * @param step {@link ProcessStep#identity()} if none; a step that {@link ProcessStep#blocks() blocks} runs on a
 *     virtual thread per record, one that does not runs on the poll thread (no hop)
 * @param writer the job's SQL for one batch; must have no effect outside the given transaction
 */
public record Job<T>(String name, String topic, String group, String deadLetterTopic, RecordDecoder<T> decoder,
        ProcessStep<T> step, BatchWriter<T> writer) {

    public Job {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(writer, "writer");
    }

    /** A job with group {@code name}, dead letters to {@code <topic>.DLT} and no process step. */
    public static <T> Job<T> of(String name, String topic, RecordDecoder<T> decoder, BatchWriter<T> writer) {
        return new Job<>(name, topic, name, topic + ".DLT", decoder, ProcessStep.identity(), writer);
    }

    public Job<T> withGroup(String group) {
        return new Job<>(name, topic, group, deadLetterTopic, decoder, step, writer);
    }

    public Job<T> withDeadLetterTopic(String deadLetterTopic) {
        return new Job<>(name, topic, group, deadLetterTopic, decoder, step, writer);
    }

    public Job<T> withStep(ProcessStep<T> step) {
        return new Job<>(name, topic, group, deadLetterTopic, decoder, step, writer);
    }
}
