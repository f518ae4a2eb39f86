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

    SinkOutcome WRITTEN = new Written();
    SinkOutcome DUPLICATE = new Duplicate();
}
