package dev.sluice.pipeline;

/**
 * Which throwables end the pipeline instead of being handled for one record or one batch. A
 * {@link VirtualMachineError} other than a stack overflow (out of memory, an internal error) leaves
 * the JVM in a state nothing should be trusted to write from: the pipeline fails, commits only its
 * durable prefix and reports the failure (liveness, exit). Everything else — a stack overflow on a
 * deep input, an {@link AssertionError} or {@link ExceptionInInitializerError} of a buggy stage — is
 * the record's or the batch's, handled like the stage's exceptions. Stateless.
 */
public final class Failures {

    private Failures() {
    }

    public static boolean isFatal(Throwable error) {
        return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
    }

    /** Told once about a fatal error on a stage's thread; the pipeline then aborts with it as the reason. */
    @FunctionalInterface
    public interface Listener {
        void failed(String where, Throwable error);
    }
}
