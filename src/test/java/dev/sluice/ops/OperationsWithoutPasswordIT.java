package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** With no ops password configured, write operations are refused for everyone, never left open. */
@TestPropertySource(properties = "sluice.ops.password=")
class OperationsWithoutPasswordIT extends IntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void refusesEveryWriteOperationWhenNoPasswordIsConfigured() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String credentials : new String[] {null, "ops:", "ops:anything"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/pipeline/resume"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody());
            if (credentials != null) {
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("resume with %s", credentials).isIn(401, 403);
        }
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.STOPPED);
        HttpResponse<String> liveness = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/liveness"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(liveness.statusCode()).isEqualTo(200);
    }
}
