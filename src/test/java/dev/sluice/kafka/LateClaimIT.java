package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static dev.sluice.testinfra.LedgerAssertions.assertJournalExact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A late claim (issue 20, item 2): a member paused between its {@code position()} and its claim,
 * or a claim statement that finishes on a dead socket after the group moved on, raises a
 * partition's owner epoch behind the member that owns it, and no rebalance follows. Simulated on a
 * single member under load by raising the epoch in SQL, as that claim would: the owner's next batch
 * of the partition is fenced; the partition shows as {@code fenced} (not owned) in
 * {@code GET /actuator/pipeline} and {@code sluice.partition.unowned}, is claimed again after the
 * re-claim backoff, and every record ends applied exactly once with no lag left.
 */
@TestPropertySource(properties = {"sluice.delivery.reclaim-backoff=1s", "sluice.flow.max-in-flight=2000",
        "sluice.batch.max-size=200"})
class LateClaimIT extends IntegrationTest {

    @Test
    void fencedPartitionStillAssignedIsClaimedAgain() throws Exception {
        String prefix = prefix("late");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 200).withDuplicates(0.05).withInvalid(0.01));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 10_000, new ExpectedLedger());
        pipeline.resume();
        await(Duration.ofMinutes(1)).until(() -> pipeline.status().totals().written() >= 2_000);
        String partition = topicName() + "-0";
        long ownedEpoch = ownership(partition).path("epoch").asLong();
        assertThat(ownership(partition).path("ownership").asString()).isEqualTo("owned");

        // more traffic while the late claim lands: partition 0's next batches carry the epoch it raised past
        CompletableFuture<ExpectedLedger> more = CompletableFuture.supplyAsync(
                () -> traffic.produce(topicName(), generator, 20_000, 4_000, expected));
        long lateEpoch = lateClaim(0);
        assertThat(lateEpoch).isGreaterThan(ownedEpoch);

        // shown while it lasts (at least the 1 s re-claim backoff): in the status and in the gauge
        await(Duration.ofSeconds(30)).until(() -> ownership(partition).path("ownership").asString().equals("fenced")
                && fencedGauge() == 1);
        assertThat(ownership(partition).path("epoch").asLong()).as("the fenced epoch is shown").isEqualTo(ownedEpoch);

        await(Duration.ofSeconds(30)).until(() -> ownership(partition).path("ownership").asString().equals("owned"));
        assertThat(ownership(partition).path("epoch").asLong()).as("claimed again, past the late claim").isGreaterThan(lateEpoch);
        assertThat(pipeline.metrics().registry().get("sluice.records.fenced").counter().count()).as("records fenced").isPositive();

        more.get();
        awaitNoLag(Duration.ofMinutes(2));
        assertInvariant(jdbc, prefix, expected);
        assertJournalExact(jdbc, topicName(), expected);
        assertThat(fencedGauge()).isZero();
    }

    private double fencedGauge() {
        return pipeline.metrics().registry().get("sluice.partition.unowned").tag("state", "fenced").gauge().value();
    }

    /** The partition's entry in {@code GET /actuator/pipeline}. */
    private JsonNode ownership(String partition) throws Exception {
        return JsonMapper.shared().readTree(getBody("/actuator/pipeline")).path("jobs").path("ledger").path("pipeline")
                .path("partitions").path(partition);
    }

    /** Raises the owner epoch of {@code partition} as a claim landing late would; returns the new epoch. */
    private long lateClaim(int partition) throws SQLException {
        // the pool does not auto-commit: commit explicitly, or the update is rolled back on return
        try (Connection connection = dataSource.getConnection();
                PreparedStatement raise = connection.prepareStatement("UPDATE sluice.sluice_owner SET epoch = epoch + 1,"
                        + " owner = 'late-claimant', claimed_at = now() WHERE consumer_group = ? AND topic = ? AND partition = ?"
                        + " RETURNING epoch")) {
            raise.setString(1, group());
            raise.setString(2, topicName());
            raise.setInt(3, partition);
            long epoch;
            try (var rows = raise.executeQuery()) {
                assertThat(rows.next()).as("the owner row of partition %d", partition).isTrue();
                epoch = rows.getLong(1);
            }
            connection.commit();
            return epoch;
        }
    }
}
