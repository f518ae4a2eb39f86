package dev.sluice.pipeline;

/** What the sink did with one record of a committed batch. */
public sealed interface SinkOutcome {

    /** Stored, with its effects, in a committed transaction. */
    record Written() implements SinkOutcome {
    }

    /** Already stored identically: no effect (a replay). */
    record Duplicate() implements SinkOutcome {
    }

    /** Permanently refused (conflict, constraint): goes to the dead-letter topic. */
    record Rejected(RejectReason reason, String detail) implements SinkOutcome {
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
