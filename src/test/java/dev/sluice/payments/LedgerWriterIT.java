package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.postgres.TransactionalBatchSink;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.SluiceSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ledger statement against a real PostgreSQL, without Spring or Kafka: the binary encoding
 * stores exactly what the ISO text of each instant stored before (including how sub-microsecond
 * digits round), and the ledger semantics of DESIGN.md "Output" hold within and across batches.
 */
class LedgerWriterIT {

    private static final DataSource DATA_SOURCE = EmbeddedInfrastructure.postgres().getPostgresDatabase();
    private final String prefix = "lw-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final TransactionalBatchSink<Payment> sink = new TransactionalBatchSink<>(DATA_SOURCE, new LedgerWriter());

    @BeforeAll
    static void migrate() {
        SluiceSchema.migrate(DATA_SOURCE);
    }

    private static List<SinkItem<Payment>> items(List<Payment> payments) {
        return items(List.of("ledger-writer"), payments);
    }

    /** Item i at offset i of partition i % 3 of topic {@code topics[i % topics.size()]}. */
    private static List<SinkItem<Payment>> items(List<String> topics, List<Payment> payments) {
        List<SinkItem<Payment>> items = new ArrayList<>();
        for (int i = 0; i < payments.size(); i++) {
            RecordRef ref = new RecordRef(new PartitionId(topics.get(i % topics.size()), i % 3), 1, i, 150);
            items.add(new SinkItem<>(new InboundRecord(ref, null, new byte[] {1}, 0), payments.get(i)));
        }
        return items;
    }

    @Test
    void storesEachTimestampExactlyAsItsIsoTextWouldBeStored() throws Exception {
        List<Instant> instants = new ArrayList<>(List.of(
                Instant.parse("2026-11-29T10:00:00Z"), Instant.parse("2026-11-29T10:00:00.123456Z"),
                Instant.parse("2026-11-29T10:00:00.0000005Z"), Instant.parse("2026-11-29T10:00:00.0000015Z"),
                Instant.parse("2026-11-29T10:00:00.0000025Z"), Instant.parse("2026-11-29T10:00:00.123456499Z"),
                Instant.parse("2026-11-29T23:59:59.9999995Z"), Instant.parse("1969-12-31T23:59:59.5000005Z"),
                Instant.parse("1900-02-28T12:00:00.000001Z"), Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999Z")));
        SplittableRandom random = new SplittableRandom(14);
        long from = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:58Z").getEpochSecond();
        for (int i = 0; i < 500; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(from, to), random.nextInt(1_000_000_000)));
        }
        List<Payment> payments = new ArrayList<>();
        for (int i = 0; i < instants.size(); i++) {
            payments.add(new Payment(prefix + "-t" + i, prefix + "-acc", 1, "EUR", instants.get(i)));
        }

        assertThat(sink.write(items(payments))).containsOnly(SinkOutcome.WRITTEN);

        try (Connection connection = DATA_SOURCE.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT occurred_at = ?::timestamptz, occurred_at::text, ?::timestamptz::text FROM sluice.payments WHERE payment_id = ?")) {
            for (Payment payment : payments) {
                select.setString(1, payment.occurredAt().toString());
                select.setString(2, payment.occurredAt().toString());
                select.setString(3, payment.paymentId());
                try (ResultSet row = select.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getBoolean(1)).as("%s stored as %s, its text reads %s", payment.occurredAt(),
                            row.getString(2), row.getString(3)).isTrue();
                }
            }
        }
    }

    @Test
    void appliesEachPaymentOnceAndRefusesAConflictingReuseOfItsId() throws Exception {
        Instant at = Instant.parse("2026-11-29T10:00:00Z");
        Payment first = new Payment(prefix + "-p1", prefix + "-acc", 1999, "EUR", at);
        Payment second = new Payment(prefix + "-p2", prefix + "-acc", -500, "EUR", at);
        Payment conflicting = new Payment(prefix + "-p1", prefix + "-other", 1999, "EUR", at);

        List<SinkOutcome> one = sink.write(items(List.of(first, second, first, conflicting)));
        List<SinkOutcome> two = sink.write(items(List.of(second, conflicting)));

        assertThat(one).hasSize(4).startsWith(SinkOutcome.WRITTEN, SinkOutcome.WRITTEN, SinkOutcome.DUPLICATE);
        assertThat(one.get(3)).isInstanceOfSatisfying(SinkOutcome.Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.CONFLICT));
        assertThat(two.get(0)).isEqualTo(SinkOutcome.DUPLICATE);
        assertThat(two.get(1)).isInstanceOf(SinkOutcome.Rejected.class);
        try (Connection connection = DATA_SOURCE.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT balance_cents, payment_count FROM sluice.account_balances WHERE account = ? AND currency = 'EUR'")) {
            select.setString(1, prefix + "-acc");
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getLong(1)).isEqualTo(1499);
                assertThat(row.getLong(2)).isEqualTo(2);
            }
            select.setString(1, prefix + "-other");
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).as("a refused conflict moves no balance").isFalse();
            }
        }
    }

    @Test
    void journalsEachAppliedRecordOnceAtItsOwnSourcePosition() throws Exception {
        Instant at = Instant.parse("2026-11-29T10:00:00Z");
        String account = prefix + "-acc";
        Payment earlier = new Payment(prefix + "-j0", account, 700, "EUR", at);
        Payment one = new Payment(prefix + "-j1", account, 100, "EUR", at);
        Payment two = new Payment(prefix + "-j2", account, 200, "EUR", at);
        Payment oneElsewhere = new Payment(prefix + "-j1", prefix + "-other", 100, "EUR", at);
        Payment earlierChanged = new Payment(prefix + "-j0", account, 701, "EUR", at);
        List<Payment> fresh = List.of(new Payment(prefix + "-j3", account, 1, "USD", at), new Payment(prefix + "-j4", account, 2, "USD", at),
                new Payment(prefix + "-j5", account, 3, "USD", at));

        List<SinkOutcome> first = sink.write(items(List.of(prefix + "-t1"), List.of(earlier)));
        List<SinkOutcome> repeats = sink.write(items(List.of(prefix + "-t2"), List.of(one, two, one, oneElsewhere, earlier, earlierChanged)));
        List<SinkOutcome> allNew = sink.write(items(List.of(prefix + "-t3"), fresh));
        List<SinkOutcome> twoTopics = sink.write(items(List.of(prefix + "-t4", prefix + "-t5"),
                List.of(new Payment(prefix + "-j6", account, 6, "GBP", at), two, earlierChanged)));

        assertThat(first).containsExactly(SinkOutcome.WRITTEN);
        assertThat(repeats).hasSize(6).startsWith(SinkOutcome.WRITTEN, SinkOutcome.WRITTEN, SinkOutcome.DUPLICATE);
        assertThat(repeats.get(3)).isInstanceOfSatisfying(SinkOutcome.Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.CONFLICT));
        assertThat(repeats.get(4)).isEqualTo(SinkOutcome.DUPLICATE);
        assertThat(repeats.get(5)).isInstanceOfSatisfying(SinkOutcome.Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.CONFLICT));
        assertThat(allNew).containsExactly(SinkOutcome.WRITTEN, SinkOutcome.WRITTEN, SinkOutcome.WRITTEN);
        assertThat(twoTopics).hasSize(3).startsWith(SinkOutcome.WRITTEN, SinkOutcome.DUPLICATE);
        assertThat(twoTopics.get(2)).isInstanceOf(SinkOutcome.Rejected.class);
        assertThat(journal()).containsExactly(
                "t1 0/0 j0 written",
                "t2 0/0 j1 written", "t2 1/1 j2 written", "t2 2/2 j1 duplicate", "t2 1/4 j0 duplicate",
                "t3 0/0 j3 written", "t3 1/1 j4 written", "t3 2/2 j5 written",
                "t4 0/0 j6 written", "t5 1/1 j2 duplicate");
        try (Connection connection = DATA_SOURCE.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT currency, balance_cents, payment_count FROM sluice.account_balances WHERE account = ? ORDER BY currency")) {
            select.setString(1, account);
            List<String> balances = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    balances.add(rows.getString(1) + " " + rows.getLong(2) + "/" + rows.getLong(3));
                }
            }
            assertThat(balances).containsExactly("EUR 1000/3", "GBP 6/1", "USD 6/3");
        }
    }

    /** This test's journal rows: "topic partition/offset paymentId outcome", the prefix cut off, in source order. */
    private List<String> journal() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DATA_SOURCE.getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        SELECT source_topic, source_partition, source_offset, payment_id, outcome FROM sluice.payment_journal
                        WHERE payment_id LIKE ? ORDER BY source_topic, source_offset""")) {
            select.setString(1, prefix + "-%");
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.add(row.getString(1).substring(prefix.length() + 1) + " " + row.getInt(2) + "/" + row.getLong(3) + " "
                            + row.getString(4).substring(prefix.length() + 1) + " " + row.getString(5));
                }
            }
        }
        return rows;
    }
}
