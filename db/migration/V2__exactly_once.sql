-- Exactly-once effects (DESIGN.md "Exactly-once effects", README "Delivery guarantee").
--
-- sluice_owner: one row per (consumer group, topic, partition). A member that is assigned a
-- partition claims it by raising its epoch; every sink transaction of exactly-once mode reads the
-- epochs of its partitions FOR SHARE just before it commits and rolls back when one moved on, so a
-- member that lost a partition (a long GC pause, SIGSTOP, a network partition) can no longer apply
-- anything to it once the new owner has claimed it.
CREATE TABLE sluice_owner (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    epoch          bigint      NOT NULL,
    owner          text        NOT NULL,
    claimed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

-- sluice_progress: which source records each committed sink transaction applied, written in that
-- transaction. Append-only on the hot path (no row is updated, so sink threads never wait on one
-- another here). A row with offsets NULL is a compacted base: every record below
-- last_offset + 1 is durable or dead-lettered (the group committed that offset to Kafka). Rows
-- wholly below such a base are deleted by the compaction that writes it.
CREATE TABLE sluice_progress (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    epoch          bigint      NOT NULL,
    first_offset   bigint      NOT NULL,
    last_offset    bigint      NOT NULL,
    offsets        bigint[],
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sluice_progress_partition ON sluice_progress (consumer_group, topic, partition, last_offset);

-- payment_journal: append-only, one row per valid source record applied, in the batch's
-- transaction. No unique constraint on the source position on purpose: its exactness comes from
-- the engine's guarantee, so it is the proof of it (and in at-least-once mode it shows the
-- redeliveries).
CREATE TABLE payment_journal (
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    payment_id       varchar(64) NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('written', 'duplicate')),
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
