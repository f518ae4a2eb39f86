package dev.sluice.kafka;

/**
 * What the operator (or shutdown) asked of the current stop: when a drain turns into an abort and
 * why the pipeline stops. Owned by {@link KafkaPipeline} (replaced whole, read by the poll thread),
 * so a drain requested while a run is being created keeps its deadline.
 *
 * @param drainDeadlineNanos System.nanoTime after which a drain becomes an abort
 * @param reason why it stops: an operator's request, shutdown, a failure
 */
record StopRequest(long drainDeadlineNanos, String reason) {

    static final StopRequest NONE = new StopRequest(Long.MAX_VALUE, "operator request");

    boolean deadlinePassed(long nowNanos) {
        return nowNanos - drainDeadlineNanos > 0 && drainDeadlineNanos != Long.MAX_VALUE;
    }
}
