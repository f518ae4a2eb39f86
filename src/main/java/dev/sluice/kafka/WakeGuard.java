package dev.sluice.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * When {@code consumer.wakeup()} may be called. A wakeup is useful only while the poll thread blocks
 * in {@code poll()} outside a rebalance callback; anywhere else it stays pending and voids the next
 * blocking call, e.g. the commit of a revoked partition's durable prefix. The poll thread opens the
 * guard around {@code poll()}; the rebalance callbacks close it while they run. Any thread may
 * {@link #wake}.
 */
final class WakeGuard {

    private final Consumer<?, ?> consumer;
    /** Written by the poll thread only; read by any thread that wants it awake. */
    private volatile boolean inPoll;
    /** Written by the poll thread only (inside rebalance callbacks). */
    private volatile boolean inCallback;

    WakeGuard(Consumer<?, ?> consumer) {
        this.consumer = consumer;
    }

    void enterPoll() {
        inPoll = true;
    }

    void leavePoll() {
        inPoll = false;
    }

    void enterCallback() {
        inCallback = true;
    }

    void leaveCallback() {
        inCallback = false;
    }

    /**
     * Makes a blocked poll return now. A wakeup that races with the start of a callback can still
     * land; blocking calls made inside callbacks retry a {@code WakeupException} for that reason.
     */
    void wake() {
        if (inPoll && !inCallback) {
            try {
                consumer.wakeup();
            } catch (RuntimeException e) {
                // closed already: nothing to wake
            }
        }
    }
}
