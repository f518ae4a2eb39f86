package dev.sluice.kafka;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        // the pipeline's consumer is built outside Boot's factory under KIP-848: its client metrics must still be bound
        await(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(consumed(getBody("/actuator/prometheus")))
                .as("kafka_consumer_fetch_manager_records_consumed_total in the scrape").isGreaterThanOrEqualTo(300));
    }

    /** Records the scrape's Kafka consumers report consumed, summed over their client-level series. */
    static double consumed(String scrape) {
        Matcher matcher = Pattern.compile("(?m)^kafka_consumer_fetch_manager_records_consumed_total\\{([^}]*)} ([0-9.eE+-]+)").matcher(scrape);
        double total = 0;
        while (matcher.find()) {
            if (!matcher.group(1).contains("topic=")) {
                total += Double.parseDouble(matcher.group(2));
            }
        }
        return total;
    }
}
