package dev.sluice.jobs;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RecordDecoder;
import dev.sluice.pipeline.RejectReason;

/**
 * A declarative job's decoder. With a reader that does not block (JSON) it reads and converts the
 * record here; with one that may (Avro, the registry) it only handles tombstones and leaves the
 * rest {@link JobRow#pending pending} for {@link #step()}, which reads and converts on the job's
 * virtual thread. Either way the conversion is {@link JobMapping}'s. Thread-safe.
 *
 * <p>Reasons: bytes the reader cannot read, or a value that is not an object, are
 * {@code malformed}; a value that does not fit its column, a missing required value, or a
 * tombstone for a job without deletes, {@code invalid}.
 */
final class JobDecoder implements RecordDecoder<JobRow> {

    private final JobMapping mapping;
    private final ValueReader reader;
    private final boolean inStep;

    /**
     * @param inStep whether {@code reader} runs in the process step (it may block) instead of here
     */
    JobDecoder(JobMapping mapping, ValueReader reader, boolean inStep) {
        this.mapping = mapping;
        this.reader = reader;
        this.inStep = inStep;
    }

    @Override
    public Decoded<JobRow> decode(byte[] key, byte[] value) {
        if (value == null) {
            if (!mapping.deletesOnTombstone()) {
                return Decoded.rejected(RejectReason.INVALID,
                        "value is null (a tombstone) and sluice.jobs." + mapping.job + ".deletes is none");
            }
            try {
                return Decoded.accepted(mapping.deletion(key));
            } catch (ValueRefused e) {
                return Decoded.rejected(RejectReason.INVALID, e.getMessage());
            }
        }
        if (inStep) {
            return Decoded.accepted(JobRow.pending(key, value));
        }
        tools.jackson.databind.JsonNode tree;
        try {
            tree = reader.read(value);
        } catch (IllegalArgumentException e) {
            return Decoded.rejected(RejectReason.MALFORMED, "value " + e.getMessage());
        }
        if (!tree.isObject()) {
            return Decoded.rejected(RejectReason.MALFORMED, "value is not a JSON object");
        }
        try {
            return Decoded.accepted(mapping.row(key, tree));
        } catch (ValueRefused e) {
            return Decoded.rejected(RejectReason.INVALID, e.getMessage());
        }
    }

    /**
     * The job's process step: identity for rows decoded already; for a pending row, the reader and
     * the conversion. A value the reader or the mapping refuses throws {@link ValueRefused} (the
     * engine dead-letters it as {@code invalid} with the message); the reader's
     * {@link dev.sluice.pipeline.TransientProcessingException} passes through (retried).
     */
    ProcessStep<JobRow> step() {
        if (!inStep) {
            return ProcessStep.identity();
        }
        return row -> {
            if (!row.isPending()) {
                return row;
            }
            tools.jackson.databind.JsonNode tree;
            try {
                tree = reader.read(row.value());
            } catch (ValueRefused e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ValueRefused("value " + e.getMessage());
            }
            return mapping.row(row.key(), tree);
        };
    }
}
