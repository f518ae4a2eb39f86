package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ops.Curl;
import dev.sluice.testinfra.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * No job at all ({@code sluice.payments.enabled=false} and no other): the service starts, the
 * operations answer with no job, and a preStop drain is done at once.
 */
@TestPropertySource(properties = "sluice.payments.enabled=false")
class NoJobIT extends IntegrationTest {

    @Test
    void theServiceStartsAndAnswersWithNoJob() throws Exception {
        assertThat(pipelines.all()).isEmpty();
        assertThat(getBody("/actuator/pipeline")).isEqualTo("{\"state\":\"STOPPED\",\"jobs\":{}}");
        assertThat(getBody("/actuator/health/readiness")).contains("\"UP\"");

        Curl.Result drained = Curl.call("-u", "ops:test-ops-secret", "-X", "POST",
                "http://localhost:" + port + "/actuator/pipeline/drain?wait=30s");
        assertThat(drained.status()).as(drained.output()).isEqualTo(200);
        assertThat(drained.body()).contains("\"done\":true", "\"state\":\"STOPPED\"");
    }
}
