package dev.sluice.postgres;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import io.micrometer.core.instrument.DistributionSummary;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A record the parser admits but the database refuses (a CHECK constraint this test adds) shares a
 * batch with valid ones: the batch is bisected, the valid rows are written, and only the refused
 * one is dead-lettered as {@code invalid} with the SQLState in its detail.
 */
@TestPropertySource(properties = {"sluice.batch.max-size=2000", "sluice.batch.max-wait=2s", "sluice.batch.sink-threads=1",
    "sluice.flow.max-in-flight=4000"})
class BadRowIsolationIT extends IntegrationTest {

    /** Runs DDL committed on its own connection (the pool's connections are not auto-commit). */
    private void ddl(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute(sql);
        }
    }

    @Test
    void writesTheValidRowsOfABatchAndDeadLettersOnlyTheRowTheDatabaseRefuses() throws SQLException {
        String prefix = prefix("badrow");
        String refusedId = prefix + "-refused";
        String constraint = "test_refuse_" + prefix.replace('-', '_');
        // scoped to this test's paymentId, so concurrent or later tests are not affected
        ddl("ALTER TABLE sluice.payments ADD CONSTRAINT " + constraint + " CHECK (payment_id <> '" + refusedId + "') NOT VALID");
        try {
            traffic.createTopics(1, topicName(), deadLetterTopic());
            PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 20));
            ExpectedLedger expected = traffic.produce(topicName(), generator, 500, new ExpectedLedger());
            Payment refused = new Payment(refusedId, prefix + "-acc-1", 1234, "EUR", Instant.parse("2026-11-29T10:00:00Z"));
            byte[] refusedValue = PaymentGenerator.json(refused);
            traffic.send(topicName(), refused.account(), refusedValue);
            expected.expectDeadLetter(RejectReason.INVALID);
            traffic.produce(topicName(), generator, 500, expected);

            pipeline.resume();
            awaitNoLag(Duration.ofSeconds(60));

            assertInvariant(jdbc, prefix, expected);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM sluice.payments WHERE payment_id = ?", Long.class, refusedId)).isZero();
            List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.reason()).isEqualTo("invalid");
                assertThat(letter.value()).isEqualTo(refusedValue);
                assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo(refused.account());
                assertThat(letter.headers().get("sluice.error.detail")).contains("SQLState 23514").contains(constraint);
                assertThat(letter.headers()).containsEntry("sluice.source.offset", "500")
                        .containsEntry("sluice.error.stage", "sink")
                        .containsEntry("sluice.error.exception", "org.postgresql.util.PSQLException")
                        .containsEntry("sluice.error.attempts", "1");
            });
            DistributionSummary batches = pipeline.metrics().registry().find("sluice.batch.size").summary();
            assertThat(batches.max()).as("the refused row shared a batch with valid ones").isGreaterThan(100);
            assertThat(pipeline.status().totals().written()).isEqualTo(expected.distinctValid());
        } finally {
            ddl("ALTER TABLE sluice.payments DROP CONSTRAINT IF EXISTS " + constraint);
        }
    }
}
