package dev.sluice.payments;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static dev.sluice.testinfra.LedgerAssertions.assertJournalExact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.PipelineTestAccess;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A pipeline that stops abruptly (no final commit, work in flight) and starts again still ends
 * exact, twice over; in exactly-once mode (the default) with one journal row per valid record: the
 * records durable but not committed at the crash are skipped, not applied again.
 * {@link AtLeastOnceCrashRecoveryIT} runs the same crash in at-least-once mode and sees them again.
 */
class CrashRecoveryIT extends IntegrationTest {

    @Test
    void haltedMidRunWithoutFinalCommitThenRestartedEndsWithTheInvariantExact() throws InterruptedException {
        ExpectedLedger expected = crashTwiceAndRecover();
        assertJournalExact(jdbc, topicName(), expected);
        assertThat(pipeline.metrics().registry().get("sluice.records.skipped").counter().count())
                .as("records found durable by the claims after the crashes, skipped").isPositive();
    }

    /** Produces, crashes twice mid-run, recovers; checks the ledger invariant and the dead letters. */
    protected ExpectedLedger crashTwiceAndRecover() throws InterruptedException {
        String prefix = prefix("crash");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 200)
                .withDuplicates(0.05).withInvalid(0.01)), 30_000, new ExpectedLedger());

        for (long writtenAtCrash : new long[] {5_000, 15_000}) {
            pipeline.resume();
            await(Duration.ofMinutes(1)).until(() -> pipeline.status().totals().written() >= writtenAtCrash);
            PipelineTestAccess.halt(pipeline);
            assertThat(pipeline.awaitStopped(Duration.ofSeconds(10))).isTrue();
            long lagAfterCrash = ConsumerLag.of(bootstrapServers(), group(), topicName());
            assertThat(lagAfterCrash).as("the crash left work to redeliver").isPositive();
        }

        assertThat(pipeline.resume()).isEqualTo(PipelineState.RUNNING);
        awaitNoLag(Duration.ofMinutes(3));

        assertInvariant(jdbc, prefix, expected);
        Set<String> deadLettered = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic()).stream()
                .map(l -> l.headers().get("sluice.source.partition") + "@" + l.headers().get("sluice.source.offset"))
                .collect(Collectors.toSet());
        assertThat((long) deadLettered.size()).as("every invalid record dead-lettered (at least once)")
                .isEqualTo(expected.deadLetterTotal());
        return expected;
    }
}
