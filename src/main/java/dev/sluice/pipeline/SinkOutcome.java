package dev.sluice.pipeline;

/** What the sink did with one record of a committed batch. */
public sealed interface SinkOutcome {

    /** Stored, with its effects, in a committed transaction. */
    record Written() implements SinkOutcome {
    }

    /** Already stored identically: no effect (a replay). */
    record Duplicate() implements SinkOutcome {
    }

    /**
     * Permanently refused (conflict, constraint): goes to the dead-letter topic.
     *
     * @param exceptionClass class of the exception behind the refusal, null when a rule refused it
     */
    record Rejected(RejectReason reason, String detail, String exceptionClass) implements SinkOutcome {

        public Rejected(RejectReason reason, String detail) {
            this(reason, detail, null);
        }
    }

    /**
     * Not written: its partition was claimed by a newer owner (exactly-once mode) since it was
     * polled. The new owner applies it; here it completes as fenced and its partition is given up.
     */
    record Fenced() implements SinkOutcome {
    }

    SinkOutcome WRITTEN = new Written();
    SinkOutcome DUPLICATE = new Duplicate();
    SinkOutcome FENCED = new Fenced();
}
