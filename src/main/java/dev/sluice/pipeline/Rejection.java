package dev.sluice.pipeline;

import java.util.Locale;

/**
 * Why and where a record was refused: what its dead letter says about it (contract: README
 * "Dead-letter headers").
 *
 * @param reason the category an operator filters on ({@code sluice.error.reason})
 * @param stage the stage that refused it ({@code sluice.error.stage})
 * @param detail human-readable cause ({@code sluice.error.detail})
 * @param exceptionClass fully qualified class of the exception behind it, null when a rule
 *     (not an exception) refused the record ({@code sluice.error.exception})
 * @param attempts how many times the stage tried the record, retries included ({@code sluice.error.attempts})
 */
public record Rejection(RejectReason reason, Stage stage, String detail, String exceptionClass, int attempts) {

    public Rejection {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
        }
    }

    /** A refusal by a rule of the stage, at the first attempt. */
    public static Rejection byRule(RejectReason reason, Stage stage, String detail) {
        return new Rejection(reason, stage, detail, null, 1);
    }

    /** A refusal caused by {@code error}. */
    public static Rejection byError(RejectReason reason, Stage stage, String detail, Throwable error, int attempts) {
        return new Rejection(reason, stage, detail, error.getClass().getName(), attempts);
    }

    /** The stages that can refuse a record; the lower-case name is the header value. */
    public enum Stage {
        /** The bytes are not a record of the job's format. */
        DECODE,
        /** Decoded, but a field breaks the job's rules. */
        VALIDATE,
        /** The job's process step refused it. */
        PROCESS,
        /** The database refused it (conflict, constraint). */
        SINK;

        public String header() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
