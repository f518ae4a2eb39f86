package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ops.Curl;
import dev.sluice.payments.PaymentParser;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code sluice.payments.enabled=false} with one other job: the process runs that job alone, with
 * no ledger bean, and the operations see only it.
 */
@Import(LedgerOffIT.OnlyTotals.class)
@TestPropertySource(properties = "sluice.payments.enabled=false")
class LedgerOffIT extends IntegrationTest {

    static final String TABLE = TotalsJob.uniqueTable("alone");

    @TestConfiguration(proxyBeanMethods = false)
    static class OnlyTotals {
        @Bean
        Job<Long> alone(Environment environment) {
            return TotalsJob.job("alone", environment.getRequiredProperty("sluice.source.topic") + "-alone", TABLE)
                    .withGroup(environment.getRequiredProperty("spring.kafka.consumer.group-id") + "-alone");
        }
    }

    @Autowired
    ApplicationContext context;

    @Test
    void theOtherJobRunsAloneWithoutTheLedger() throws Exception {
        assertThat(pipelines.all()).extracting(JobPipeline::name).containsExactly("alone");
        assertThat(pipeline).as("no ledger pipeline").isNull();
        assertThat(context.getBeanNamesForType(PaymentParser.class)).isEmpty();
        TotalsJob.createTable(dataSource, TABLE);
        Job<?> job = pipelines.find("alone").orElseThrow().job();
        traffic.createTopics(2, job.topic(), job.deadLetterTopic());
        Map<String, long[]> expected = new HashMap<>();
        TotalsJob.send(traffic, job.topic(), 7, 2_000, 15, expected);

        Curl.Result resumed = Curl.call("-u", "ops:test-ops-secret", "-X", "POST",
                "http://localhost:" + port + "/actuator/pipeline/resume");
        assertThat(resumed.status()).as(resumed.output()).isEqualTo(200);
        await(Duration.ofMinutes(2)).until(() -> ConsumerLag.of(bootstrapServers(), job.group(), job.topic()) == 0);

        Map<String, long[]> actual = TotalsJob.stored(jdbc, TABLE);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, sums) -> assertThat(actual.get(key)).as(key).containsExactly(sums));
        assertThat(getBody("/actuator/pipeline")).startsWith("{\"state\":\"RUNNING\",\"jobs\":{\"alone\":").doesNotContain("ledger");
    }
}
