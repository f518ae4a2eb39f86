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
        List<SinkItem<Payment>> items = new ArrayList<>();
        for (int i = 0; i < payments.size(); i++) {
            RecordRef ref = new RecordRef(new PartitionId("ledger-writer", i % 3), 1, i, 150);
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
}
