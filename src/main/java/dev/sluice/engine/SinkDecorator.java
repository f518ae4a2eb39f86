package dev.sluice.engine;

import dev.sluice.pipeline.BatchSink;
import java.util.function.UnaryOperator;

/**
 * Wraps one job's sink: the engine hands the job's transactional sink to the decorator and its
 * pipeline writes through what comes back (a test injecting faults, an application adding a check
 * before the transaction). A bean; at most one per job.
 *
 * @param job the name of the job whose sink is wrapped
 * @param wrap given the job's sink, returns the sink its pipeline writes through (delegating to it)
 */
public record SinkDecorator<T>(String job, UnaryOperator<BatchSink<T>> wrap) {
}
