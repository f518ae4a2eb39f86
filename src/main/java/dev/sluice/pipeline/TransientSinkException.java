package dev.sluice.pipeline;

/** The sink could not write a batch for a reason that may pass (connection lost, deadlock, shutdown). */
public class TransientSinkException extends Exception {

    private final String cause;

    public TransientSinkException(String cause, Throwable error) {
        super(cause + ": " + error.getMessage(), error);
        this.cause = cause;
    }

    /** A short, low-cardinality name of the cause, for metrics (e.g. {@code connection}, {@code deadlock}). */
    public String causeName() {
        return cause;
    }
}
