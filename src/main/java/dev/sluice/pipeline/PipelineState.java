package dev.sluice.pipeline;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of consumption. Transitions, and nothing else:
 * <pre>
 * RUNNING  ──drain──▶ DRAINING ──all in-flight durable + committed──▶ STOPPED
 * RUNNING  ──abort──▶ ABORTING ──workers cancelled, durable prefix committed──▶ STOPPED
 * DRAINING ──abort or drain deadline──▶ ABORTING
 * STOPPED  ──resume──▶ RUNNING
 * </pre>
 * Drain and abort are never mixed: once ABORTING, no record finishes on purpose.
 */
public enum PipelineState {
    RUNNING, DRAINING, ABORTING, STOPPED;

    private Set<PipelineState> next() {
        return switch (this) {
            case RUNNING -> EnumSet.of(DRAINING, ABORTING, STOPPED);
            case DRAINING -> EnumSet.of(ABORTING, STOPPED);
            case ABORTING -> EnumSet.of(STOPPED);
            case STOPPED -> EnumSet.of(RUNNING);
        };
    }

    public boolean canMoveTo(PipelineState target) {
        return next().contains(target);
    }

    /** True while records are still being fetched or finished. */
    public boolean isActive() {
        return this != STOPPED;
    }
}
