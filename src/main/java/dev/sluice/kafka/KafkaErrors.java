package dev.sluice.kafka;

import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Classifies Kafka client failures: retriable ones (the broker is away, a leader moves, a request
 * timed out) are retried with backoff; fatal ones (authorization, a fenced or closed client, bad
 * configuration) stop consumption, which commits the durable prefix and reports the error.
 */
final class KafkaErrors {

    private KafkaErrors() {
    }

    static boolean isRetriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof InterruptException) {
                return true;
            }
        }
        return false;
    }

    /** A short, low-cardinality name for metrics: the exception's simple class name. */
    static String causeName(Throwable error) {
        return error == null ? "unknown" : error.getClass().getSimpleName();
    }
}
