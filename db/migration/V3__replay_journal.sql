-- Dead-letter replay journal (DESIGN.md "Dead letters", README "Dead letters: what they carry, and
-- replaying them").
--
-- sluice_replay_journal: one row per source record that a replay re-published (or began to), keyed
-- by the source position the dead letter names. A run inserts the rows of the letters it is about
-- to send (ON CONFLICT DO NOTHING) and sends only those it inserted, so no source record is ever
-- re-published twice: not by two runs, not by two pods, not through two dead letters of one record.
-- status: 'sending' (inserted, the send not settled: the run stopped or the pod died first),
-- 'sent' (the broker acknowledged it), 'unconfirmed' (the send failed; whether the broker wrote it
-- is unknown after a timeout). Rows other than 'sent' are never re-sent by replay: an operator who
-- checked the source topic deletes them to let a later run send those records again.
CREATE TABLE sluice_replay_journal (
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    dead_letter      text        NOT NULL,
    run              text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('sending', 'sent', 'unconfirmed')),
    error            text,
    claimed_at       timestamptz NOT NULL DEFAULT now(),
    settled_at       timestamptz,
    PRIMARY KEY (source_topic, source_partition, source_offset)
);
