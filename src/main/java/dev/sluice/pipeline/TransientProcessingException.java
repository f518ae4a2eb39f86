package dev.sluice.pipeline;

/** Thrown by a stage for a failure that may pass (an outage): the record is retried, never dead-lettered. */
public class TransientProcessingException extends RuntimeException {

    public TransientProcessingException(String message, Throwable cause) {
        super(message, cause);
    }
}
