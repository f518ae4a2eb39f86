package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static dev.sluice.testinfra.LedgerAssertions.assertJournalExact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once mode, PostgreSQL ahead of Kafka: the group's committed offsets are reset backwards
 * (an operator's {@code kafka-consumer-groups --reset-offsets}, or a commit lost while the
 * transactions committed), so the claim finds everything durable and seeks past it. With no new
 * records, nothing is polled, so nothing would ever be committed: lag tools and KEDA would see the
 * old lag forever and the progress rows would never be compacted. The sought position is durable by
 * definition, so the source commits it.
 */
class DurableAheadOfKafkaIT extends IntegrationTest {

    private static final int PARTITIONS = 2;
    private static final int RECORDS = 400;

    @Test
    void aQuietPartitionSoughtPastItsCommittedOffsetCommitsTheDurablePositionAndShowsNoLag() throws Exception {
        String prefix = prefix("ahead");
        traffic.createTopics(PARTITIONS, topicName(), deadLetterTopic());
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 50)), RECORDS,
                new ExpectedLedger());
        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));
        pipeline.drain(Duration.ofSeconds(10));
        assertThat(pipeline.awaitStopped(Duration.ofSeconds(20))).isTrue();
        long written = pipeline.status().totals().written();

        Map<Integer, Long> end = ConsumerLag.endOffsets(bootstrapServers(), topicName());
        resetCommittedOffsetsToZero();
        assertThat(ConsumerLag.of(bootstrapServers(), group(), topicName())).as("Kafka is behind PostgreSQL now").isEqualTo(RECORDS);

        assertThat(pipeline.resume()).isEqualTo(PipelineState.RUNNING);
        // the claim seeks each partition to its end; nothing new arrives, so only the claim can commit
        await(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ConsumerLag.committed(bootstrapServers(), group()))
                .as("committed offsets reach the durable position (the end)").isEqualTo(end));
        assertThat(ConsumerLag.of(bootstrapServers(), group(), topicName())).isZero();
        assertThat(pipeline.status().totals().written()).as("nothing applied again").isEqualTo(written);
        assertInvariant(jdbc, prefix, expected);
        assertJournalExact(jdbc, topicName(), expected);
    }

    /** Sets the (empty) group's committed offsets back to 0, retrying while the broker still counts the old member. */
    private void resetCommittedOffsetsToZero() {
        Map<TopicPartition, OffsetAndMetadata> zero = java.util.stream.IntStream.range(0, PARTITIONS).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topicName(), p), p -> new OffsetAndMetadata(0)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            await(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> admin.alterConsumerGroupOffsets(group(), zero).all().get() == null);
        }
    }
}
