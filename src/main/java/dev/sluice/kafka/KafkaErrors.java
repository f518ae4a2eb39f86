package dev.sluice.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Classifies Kafka client failures: retriable ones (the broker is away, a leader moves, a request
 * timed out, a topic's metadata is not there yet) are retried with backoff; fatal ones
 * (authentication, authorization, a fenced or closed client, a record too large, bad
 * configuration, an interrupt) stop consumption, which commits the durable prefix and reports the
 * error. Stateless.
 *
 * <p>The cause chain is walked from the outside in and the first Kafka verdict wins: a fatal
 * exception wrapping a retriable one is fatal (a client that failed to authenticate reports the
 * timeouts it saw on the way), a plain {@link KafkaException} wrapping a retriable one is
 * retriable (the clients wrap request failures that way). An interrupt is never retriable: it asks
 * the thread to stop, and retrying would spin, since the Kafka client sets the interrupt flag again.
 */
final class KafkaErrors {

    private KafkaErrors() {
    }

    static boolean isRetriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                return true;
            }
            if (isFatal(t)) {
                return false;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Fatal whatever it wraps: the client or its credentials are unusable, or the request can never succeed. */
    private static boolean isFatal(Throwable t) {
        return t instanceof AuthenticationException
                || t instanceof AuthorizationException
                || t instanceof InterruptException
                || t instanceof InterruptedException
                // an error answer from the broker that is not retriable (record too large, invalid topic, fenced …)
                || t instanceof ApiException;
    }

    /** A short, low-cardinality name for metrics: the innermost Kafka exception's simple class name, else the error's. */
    static String causeName(Throwable error) {
        if (error == null) {
            return "unknown";
        }
        Throwable named = error;
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof KafkaException) {
                named = t;
            }
        }
        return named.getClass().getSimpleName();
    }
}
