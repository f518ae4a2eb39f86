package dev.sluice.jobs;

import static dev.sluice.jobs.JobsDatabase.bind;
import static dev.sluice.jobs.JobsDatabase.record;
import static dev.sluice.jobs.JobsDatabase.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RecordHeader;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.TransactionalBatchSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A declarative job's decoder and writer against real PostgreSQL, each batch written in one
 * committed transaction (no Kafka: the engine's part is not under test here).
 */
class JobWriterIT {

    private static JobsDatabase database;

    @BeforeAll
    static void tables() {
        database = new JobsDatabase("job_writer");
        database.jdbc.execute("""
                CREATE TABLE orders (
                    id text PRIMARY KEY,
                    customer text NOT NULL,
                    amount numeric(10,2),
                    items jsonb,
                    updated_at timestamptz,
                    note text NOT NULL DEFAULT 'fresh')
                """);
    }

    private static final String[] ORDERS = {"sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
        "sluice.jobs.orders.mode=upsert", "sluice.jobs.orders.key[0]=id", "sluice.jobs.orders.columns.id=@key",
        "sluice.jobs.orders.columns.customer=/customer/name", "sluice.jobs.orders.columns.amount=/amount",
        "sluice.jobs.orders.columns.items=/items", "sluice.jobs.orders.columns.updated_at=/updatedAt",
        "sluice.jobs.orders.deletes=tombstone"};

    private static String[] orders(String... more) {
        List<String> properties = new ArrayList<>(List.of(ORDERS));
        properties.addAll(List.of(more));
        return properties.toArray(String[]::new);
    }

    private static String order(String customer, String amount, String updatedAt) {
        return "{\"customer\":{\"name\":\"" + customer + "\"},\"amount\":" + amount + ",\"items\":[{\"sku\":\"a\",\"n\":2}],"
                + "\"updatedAt\":\"" + updatedAt + "\"}";
    }

    private static Map<String, Object> row(String id) {
        return database.jdbc.queryForMap("SELECT customer, amount::text AS amount, items::text AS items, "
                + "to_char(updated_at AT TIME ZONE 'UTC', 'HH24:MI') AS updated, note FROM orders WHERE id = ?", id);
    }

    private static long count(String id) {
        return database.jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Long.class, id);
    }

    @Test
    void anUpsertWithAVersionGuardAppliesOnlyNewerVersionsAndSkipsAndCountsStaleOnes() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobParts job = database.job(bind(orders("sluice.jobs.orders.version=updated_at")), registry);
        run(database, job, List.of(
                record("orders", 0, "v-a", order("ann", "10.50", "2026-01-01T10:00:00Z")),
                record("orders", 1, "v-b", order("bob", "1", "2026-01-01T10:00:00Z"))));

        List<Object> results = run(database, job, List.of(
                record("orders", 2, "v-a", order("old", "1", "2026-01-01T09:00:00Z")),
                record("orders", 3, "v-a", order("new", "2", "2026-01-01T11:00:00Z")),
                record("orders", 4, "v-a", order("between", "3", "2026-01-01T10:30:00Z")),
                record("orders", 5, "v-b", order("bob again", "1", "2026-01-01T10:00:00Z")),
                record("orders", 6, "v-c", order("cat", "7.25", "2026-01-01T08:00:00Z"))));

        assertThat(results).containsExactly(SinkOutcome.DUPLICATE, SinkOutcome.WRITTEN, SinkOutcome.DUPLICATE,
                SinkOutcome.DUPLICATE, SinkOutcome.WRITTEN);
        assertThat(row("v-a")).containsEntry("customer", "new").containsEntry("amount", "2.00").containsEntry("updated", "11:00");
        assertThat(row("v-b")).containsEntry("customer", "bob");
        assertThat(row("v-c")).containsEntry("customer", "cat").containsEntry("amount", "7.25");
        assertThat(registry.get("sluice.job.stale").tag("job", "orders").counter().count()).isEqualTo(3);
    }

    @Test
    void aTombstoneDeletesItsKeysRowAndATombstoneForAnAbsentKeyChangesNothing() throws Exception {
        JobParts job = database.job(orders());
        run(database, job, List.of(record("orders", 0, "t-a", order("ann", "1", "2026-01-01T10:00:00Z")),
                record("orders", 1, "t-b", order("bob", "1", "2026-01-01T10:00:00Z"))));

        List<Object> results = run(database, job, List.of(record("orders", 2, "t-a", null), record("orders", 3, "t-none", null)));

        assertThat(results).containsOnly(SinkOutcome.WRITTEN);
        assertThat(count("t-a")).isZero();
        assertThat(count("t-b")).isOne();
    }

    @Test
    void aKeysEventsInOneBatchApplyInOffsetOrder() throws Exception {
        JobParts job = database.job(orders());
        run(database, job, List.of(record("orders", 0, "o-a", order("stored", "1", "2026-01-01T10:00:00Z")),
                record("orders", 1, "o-b", order("stored", "1", "2026-01-01T10:00:00Z"))));
        database.jdbc.update("UPDATE orders SET note = 'kept' WHERE id IN ('o-a', 'o-b')");

        List<Object> results = run(database, job, List.of(
                record("orders", 2, "o-a", order("first", "2", "2026-01-01T11:00:00Z")),
                record("orders", 3, "o-b", order("only", "2", "2026-01-01T11:00:00Z")),
                record("orders", 4, "o-a", null),
                record("orders", 5, "o-c", null),
                record("orders", 6, "o-a", order("last", "3", "2026-01-01T12:00:00Z")),
                record("orders", 7, "o-c", order("after delete", "4", "2026-01-01T12:00:00Z"))));

        assertThat(results).containsOnly(SinkOutcome.WRITTEN);
        // update → delete → update: the row of the last update, a new row (the delete removed the stored one and its note)
        assertThat(row("o-a")).containsEntry("customer", "last").containsEntry("amount", "3.00").containsEntry("note", "fresh");
        assertThat(row("o-b")).containsEntry("customer", "only").containsEntry("note", "kept");
        assertThat(row("o-c")).containsEntry("customer", "after delete");
    }

    @Test
    void versionsAreRespectedInSequenceWithinABatchAndADeleteStartsTheKeyOver() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobParts job = database.job(bind(orders("sluice.jobs.orders.version=updated_at")), registry);
        run(database, job, List.of(record("orders", 0, "s-a", order("v5", "1", "2026-01-01T05:00:00Z"))));

        List<Object> results = run(database, job, List.of(
                record("orders", 1, "s-a", order("v3", "1", "2026-01-01T03:00:00Z")),
                record("orders", 2, "s-a", order("v7", "1", "2026-01-01T07:00:00Z")),
                record("orders", 3, "s-a", order("v6", "1", "2026-01-01T06:00:00Z")),
                record("orders", 4, "s-a", null),
                record("orders", 5, "s-a", order("v4", "1", "2026-01-01T04:00:00Z")),
                record("orders", 6, "s-a", order("v4 again", "1", "2026-01-01T04:00:00Z"))));

        assertThat(results).containsExactly(SinkOutcome.DUPLICATE, SinkOutcome.WRITTEN, SinkOutcome.DUPLICATE,
                SinkOutcome.WRITTEN, SinkOutcome.WRITTEN, SinkOutcome.DUPLICATE);
        assertThat(row("s-a")).containsEntry("customer", "v4").containsEntry("updated", "04:00");
        assertThat(registry.get("sluice.job.stale").tag("job", "orders").counter().count()).isEqualTo(3);
    }

    @Test
    void updateModeWritesOnlyRowsThatExistAndCountsTheRest() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        run(database, database.job(orders()), List.of(record("orders", 0, "u-a", order("stored", "1", "2026-01-01T10:00:00Z"))));
        JobParts update = database.job(bind(orders("sluice.jobs.orders.mode=update")), registry);

        List<Object> results = run(database, update, List.of(
                record("orders", 1, "u-a", order("updated", "2", "2026-01-01T11:00:00Z")),
                record("orders", 2, "u-none", order("nobody", "2", "2026-01-01T11:00:00Z")),
                record("orders", 3, "u-a", null),
                record("orders", 4, "u-a", order("after delete", "3", "2026-01-01T12:00:00Z"))));

        assertThat(results).containsOnly(SinkOutcome.WRITTEN);
        assertThat(count("u-a")).as("an update after the delete has no row to update").isZero();
        assertThat(count("u-none")).isZero();
        assertThat(registry.get("sluice.job.absent").tag("job", "orders").counter().count()).isEqualTo(2);
    }

    @Test
    void insertModeRefusesAKeyThatHasARowAsAConflict() throws Exception {
        JobParts insert = database.job(bind(orders("sluice.jobs.orders.mode=insert")), new SimpleMeterRegistry());
        run(database, insert, List.of(record("orders", 0, "i-a", order("first", "1", "2026-01-01T10:00:00Z"))));

        List<Object> results = run(database, insert, List.of(
                record("orders", 1, "i-a", order("again", "1", "2026-01-01T10:00:00Z")),
                record("orders", 2, "i-b", order("new", "1", "2026-01-01T10:00:00Z")),
                record("orders", 3, "i-b", order("twice", "1", "2026-01-01T10:00:00Z"))));

        assertThat(results.get(0)).isEqualTo(new SinkOutcome.Rejected(RejectReason.CONFLICT,
                "a row with key (id=i-a) exists in public.orders (mode insert)"));
        assertThat(results.get(1)).isEqualTo(SinkOutcome.WRITTEN);
        assertThat(results.get(2)).isInstanceOf(SinkOutcome.Rejected.class);
        assertThat(row("i-a")).containsEntry("customer", "first");
        assertThat(row("i-b")).containsEntry("customer", "new");
    }

    @Test
    void poisonIsRejectedWithAReasonNamingTheColumnAndTheRestOfTheBatchIsWritten() throws Exception {
        JobParts job = database.job(orders());

        List<Object> results = run(database, job, List.of(
                record("orders", 0, "p-ok", order("ann", "1.50", "2026-01-01T10:00:00Z")),
                record("orders", 1, "p-scale", order("ann", "1.234", "2026-01-01T10:00:00Z")),
                record("orders", 2, "p-zeros", order("ann", "1.2300", "2026-01-01T10:00:00Z")),
                record("orders", 3, "p-big", order("ann", "123456789", "2026-01-01T10:00:00Z")),
                record("orders", 4, "p-array", "[1,2]"),
                record("orders", 5, "p-json", "{\"customer\":"),
                record("orders", 6, "p-missing", "{\"amount\":1}"),
                record("orders", 7, "p-time", order("ann", "1", "yesterday")),
                record("orders", 8, null, order("ann", "1", "2026-01-01T10:00:00Z")),
                record("orders", 9, "p-text", "{\"customer\":{\"name\":{\"first\":\"ann\"}}}")));

        assertThat(results.get(0)).isEqualTo(SinkOutcome.WRITTEN);
        assertThat(results.get(1)).isEqualTo(Decoded.rejected(RejectReason.INVALID,
                "column amount (/amount): 1.234 has 3 decimal places; numeric(10,2) takes 2 (no rounding)"));
        assertThat(results.get(2)).isEqualTo(SinkOutcome.WRITTEN);
        assertThat(results.get(3)).isEqualTo(Decoded.rejected(RejectReason.INVALID,
                "column amount (/amount): has 9 digits before the point; numeric(10,2) takes 8"));
        assertThat(results.get(4)).isEqualTo(Decoded.rejected(RejectReason.MALFORMED, "value is not a JSON object"));
        assertThat(results.get(5)).satisfies(result -> assertThat(result.toString()).contains("MALFORMED", "not well-formed JSON"));
        assertThat(results.get(6)).isEqualTo(Decoded.rejected(RejectReason.INVALID,
                "column customer (/customer/name): no value, and the column is NOT NULL without a default"));
        assertThat(results.get(7)).isEqualTo(Decoded.rejected(RejectReason.INVALID, "column updated_at (/updatedAt): must be an "
                + "ISO-8601 date-time with an offset (2026-01-31T10:15:30Z) or epoch milliseconds, was \"yesterday\""));
        assertThat(results.get(8)).isEqualTo(Decoded.rejected(RejectReason.INVALID, "key column id (@key): no value"));
        assertThat(results.get(9)).isEqualTo(Decoded.rejected(RejectReason.INVALID,
                "column customer (/customer/name): must be a JSON string, number or boolean for text, was an object"));
        assertThat(row("p-zeros")).containsEntry("amount", "1.23");
        assertThat(row("p-ok")).containsEntry("items", "[{\"n\": 2, \"sku\": \"a\"}]");
    }

    @Test
    void aTombstoneForAJobWithoutDeletesIsRejected() throws Exception {
        List<String> properties = new ArrayList<>(List.of(ORDERS));
        properties.remove("sluice.jobs.orders.deletes=tombstone");
        JobParts job = database.job(properties.toArray(String[]::new));

        assertThat(job.decoder().decode("x".getBytes(StandardCharsets.UTF_8), null)).isEqualTo(Decoded.rejected(
                RejectReason.INVALID, "value is null (a tombstone) and sluice.jobs.orders.deletes is none"));
    }

    @Test
    void aConstraintViolationIsLeftToTheSinkWhichDeadLettersOnlyTheRecordAtFault() throws Exception {
        database.jdbc.execute("CREATE TABLE checked (id bigint PRIMARY KEY, qty integer CHECK (qty > 0))");
        JobParts job = database.job("sluice.jobs.checked.topic=checked", "sluice.jobs.checked.table=checked",
                "sluice.jobs.checked.mode=upsert", "sluice.jobs.checked.key[0]=id", "sluice.jobs.checked.columns.id=/id",
                "sluice.jobs.checked.columns.qty=/qty");
        List<SinkItem<JobRow>> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            InboundRecord record = record("checked", i, null, "{\"id\":" + i + ",\"qty\":" + (i == 6 ? 0 : i + 1) + "}");
            batch.add(new SinkItem<>(record, ((Decoded.Accepted<JobRow>) job.decoder().decode(null, record.value())).value()));
        }

        List<SinkOutcome> outcomes = new TransactionalBatchSink<>(database.dataSource, job.writer()).write(batch);

        assertThat(outcomes.get(6)).isInstanceOfSatisfying(SinkOutcome.Rejected.class,
                rejected -> assertThat(rejected.detail()).contains("SQLState 23514", "checked_qty_check"));
        assertThat(outcomes).filteredOn(SinkOutcome.WRITTEN::equals).hasSize(9);
        assertThat(database.jdbc.queryForObject("SELECT count(*) FROM checked", Long.class)).isEqualTo(9);
    }

    @Test
    void theRecordsMetadataAndHeadersFillTheirColumnsAndABadHeaderIsRejectedAtWrite() throws Exception {
        database.jdbc.execute("""
                CREATE TABLE audit (topic text, part integer, "offset" bigint, at timestamptz, at_ms bigint, tenant integer,
                    key_id uuid, key_text text, PRIMARY KEY (key_id))
                """);
        JobParts job = database.job("sluice.jobs.audit.topic=audit", "sluice.jobs.audit.table=audit",
                "sluice.jobs.audit.mode=upsert", "sluice.jobs.audit.key[0]=key_id", "sluice.jobs.audit.columns.topic=@topic",
                "sluice.jobs.audit.columns.part=@partition", "sluice.jobs.audit.columns.offset=@offset",
                "sluice.jobs.audit.columns.at=@timestamp", "sluice.jobs.audit.columns.at_ms=@timestamp",
                "sluice.jobs.audit.columns.tenant=@header:tenant", "sluice.jobs.audit.columns.key_id=@key/id",
                "sluice.jobs.audit.columns.key_text=@key");
        String key = "{\"id\":\"6F9619FF-8B86-D011-B42D-00C04FC964FF\"}";
        String other = "{\"id\":\"00000000-0000-0000-0000-000000000001\"}";

        List<Object> results = run(database, job, List.of(
                record("audit", 41, key, "{}", new RecordHeader("tenant", "7".getBytes(StandardCharsets.UTF_8))),
                record("audit", 42, other, "{}", new RecordHeader("tenant", "seven".getBytes(StandardCharsets.UTF_8)))));

        assertThat(results.get(0)).isEqualTo(SinkOutcome.WRITTEN);
        assertThat(results.get(1)).isEqualTo(new SinkOutcome.Rejected(RejectReason.INVALID,
                "column tenant (@header:tenant): must be an integer for integer, was the text \"seven\""));
        assertThat(database.jdbc.queryForMap("SELECT topic, part, \"offset\", at = to_timestamp(at_ms / 1000.0) AS same, tenant, "
                + "key_id::text AS key_id, key_text FROM audit")).containsEntry("topic", "audit").containsEntry("part", 0)
                .containsEntry("offset", 41L).containsEntry("same", true).containsEntry("tenant", 7)
                .containsEntry("key_id", "6f9619ff-8b86-d011-b42d-00c04fc964ff").containsEntry("key_text", key);
    }
}
