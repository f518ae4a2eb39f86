package dev.sluice.pipeline;

/**
 * Publishes rejected records to the dead-letter topic. A record counts as done only once the
 * broker acknowledged its dead letter: {@code onAcknowledged} runs then, never before. Failed
 * publishes are retried with backoff (a dead letter is never dropped) until acknowledged or
 * {@link #cancelAll() cancelled}.
 */
public interface DeadLetters {

    void publish(InboundRecord record, Rejection rejection, Runnable onAcknowledged);

    /** Stops retrying every pending publish (abort); their records stay incomplete. */
    void cancelAll();
}
