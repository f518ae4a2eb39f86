-- payment_journal retention (docs/OPERATIONS.md "Journal retention"): the pruner deletes rows
-- whose recorded_at is older than sluice.payments.journal-retention, a chunk per statement; this
-- index lets each chunk find its rows without reading the table. recorded_at only grows, so
-- inserts touch the index's rightmost page alone.
--
-- A plain CREATE INDEX blocks journal inserts while it builds. On a large existing journal,
-- build it first without blocking and this statement then finds it:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_journal_recorded_at ON payment_journal (recorded_at);
CREATE INDEX IF NOT EXISTS payment_journal_recorded_at ON payment_journal (recorded_at);
