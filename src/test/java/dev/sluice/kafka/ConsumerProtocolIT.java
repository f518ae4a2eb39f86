package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * KIP-848 with the one setting the README names: {@code group.protocol=consumer}. Before, start-up
 * failed ("partition.assignment.strategy cannot be set when group.protocol=CONSUMER") because the
 * shipped configuration named a client assignor. The classic session settings this suite's base
 * class sets (as many classic set-ups do) are dropped with a warning instead of refusing to start.
 */
@TestPropertySource(properties = "spring.kafka.consumer.properties.group.protocol=consumer")
class ConsumerProtocolIT extends IntegrationTest {

    @Test
    void consumesWithTheConsumerGroupProtocolSetAlone() throws Exception {
        String prefix = prefix("kip848");
        traffic.createTopics(2, topicName(), deadLetterTopic());
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 10)),
                300, new ExpectedLedger());

        pipeline.resume();
        awaitNoLag(Duration.ofSeconds(60));
        assertInvariant(jdbc, prefix, expected);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            assertThat(admin.describeConsumerGroups(java.util.List.of(group())).all().get().get(group()).type())
                    .isEqualTo(GroupType.CONSUMER);
        }
    }
}
