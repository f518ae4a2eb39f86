package dev.sluice.payments;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
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

/** A pipeline that stops abruptly (no final commit, work in flight) and starts again still ends exact. */
class CrashRecoveryIT extends IntegrationTest {

    @Test
    void haltedMidRunWithoutFinalCommitThenRestartedEndsWithTheInvariantExact() throws InterruptedException {
        String prefix = prefix("crash");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 200)
                .withDuplicates(0.05).withInvalid(0.01)), 30_000, new ExpectedLedger());

        pipeline.resume();
        await(Duration.ofMinutes(1)).until(() -> pipeline.status().totals().written() >= 5_000);
        PipelineTestAccess.halt(pipeline);
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(10))).isTrue();
        long lagAfterCrash = ConsumerLag.of(bootstrapServers(), group(), topicName());
        assertThat(lagAfterCrash).as("the crash left work to redeliver").isPositive();

        assertThat(pipeline.resume()).isEqualTo(PipelineState.RUNNING);
        awaitNoLag(Duration.ofMinutes(3));

        assertInvariant(jdbc, prefix, expected);
        Set<String> deadLettered = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic()).stream()
                .map(l -> l.headers().get("sluice.source.partition") + "@" + l.headers().get("sluice.source.offset"))
                .collect(Collectors.toSet());
        assertThat((long) deadLettered.size()).as("every invalid record dead-lettered (at least once)")
                .isEqualTo(expected.deadLetterTotal());
    }
}
