package dev.sluice.kafka;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Which source records a dead-letter replay has re-published, kept durably across runs and pods
 * (PostgreSQL, table {@code sluice_replay_journal}). A run {@link #claim claims} the source
 * positions of the letters it is about to send and sends only those the claim recorded; a position
 * recorded before (by any run, through any dead letter of that record) is skipped. The claim comes
 * before the send, so a record is re-published at most once: a send that fails, or a run that
 * stops between claim and send, leaves the position recorded and unsent, reported, never retried
 * by replay on its own (a failed send may still have reached the broker).
 *
 * <p>Implementations are thread-safe; every call blocks on the database, bounded by its timeouts,
 * and throws {@link Unavailable} when it cannot answer.
 */
public interface ReplayJournal {

    /**
     * A source record about to be sent back.
     *
     * @param deadLetter the dead letter it is sent from, {@code <dlt topic>-<partition>@<offset>}
     */
    record Position(String topic, int partition, long offset, String deadLetter) {

        /** Equal for two dead letters of one source record. */
        public String key() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    /** Records {@code positions} as being re-published by {@code run}; returns the keys of those not recorded before. */
    Set<String> claim(String run, Collection<Position> positions);

    /** The keys of those of {@code positions} recorded already (a dry run's view, nothing written). */
    Set<String> recorded(Collection<Position> positions);

    /**
     * Settles {@code run}'s sends: those the broker acknowledged ({@code sent}) and those that
     * failed, with their error ({@code unconfirmed}: the broker may or may not have written them).
     */
    void settle(String run, Collection<Position> sent, Map<Position, String> unconfirmed);

    /**
     * Takes the cluster-wide replay lock for {@code deadLetterTopic} (one replay at a time across every
     * pod), or returns null when another process holds it. Held until closed.
     */
    Exclusive exclusive(String deadLetterTopic);

    /** The held replay lock; {@link #close()} releases it. */
    interface Exclusive extends AutoCloseable {
        @Override
        void close();
    }

    /** The journal could not be read or written; the run stops. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
