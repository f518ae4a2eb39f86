package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.LedgerAssertions;
import dev.sluice.testinfra.LedgerAssertions.Journal;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The crash of {@link CrashRecoveryIT} in at-least-once mode: the ledger is still exact (it is
 * idempotent by itself), but the journal, which is not, holds the redelivered records twice — what
 * exactly-once mode exists to prevent, and proof that the journal check can fail.
 */
@TestPropertySource(properties = "sluice.delivery.guarantee=at-least-once")
class AtLeastOnceCrashRecoveryIT extends CrashRecoveryIT {

    @Test
    @Override
    void haltedMidRunWithoutFinalCommitThenRestartedEndsWithTheInvariantExact() throws InterruptedException {
        ExpectedLedger expected = crashTwiceAndRecover();
        Journal journal = LedgerAssertions.journal(jdbc, topicName());
        assertThat(journal.positions()).as("every valid record has a journal row").isEqualTo(expected.produced() - expected.deadLetterTotal());
        assertThat(journal.repeated()).as("records redelivered after the crashes, applied again").isPositive();
    }
}
