package dev.sluice.pipeline;

import java.time.Duration;

/**
 * Where the poll thread hands its records: the worker lanes ({@link KeyedDispatcher}) for a job
 * whose step blocks, straight to the sink shards ({@link DirectIntake}) for one whose step does
 * not. Either way a key's records reach the sink in the order submitted, which is offset order.
 */
public interface RecordIntake {

    /** Hands over one polled record, behind the earlier ones of its key. Poll thread only. */
    void submit(InboundRecord record);

    /** Every record of the current poll was submitted. Poll thread only. */
    default void endOfPoll() {
    }

    /** Drops what was not handed on yet and interrupts the work in progress (abort); those records stay incomplete. */
    void cancel();

    /** Waits up to {@code timeout} for every worker thread to end; true if they did. */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /** Records being handled right now on worker threads. */
    int busy();
}
