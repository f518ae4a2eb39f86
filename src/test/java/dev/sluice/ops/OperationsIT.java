package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The operations contract over HTTP: status, drain/abort/resume with credentials, open probes and scrape. */
class OperationsIT extends IntegrationTest {

    static final String PASSWORD = "test-ops-secret";
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void writeOperationsNeedTheOpsCredentialsWhileProbesStatusAndScrapeStayOpen() throws Exception {
        traffic.createTopics(2, topicName(), deadLetterTopic());
        traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix("ops"), 10)), 500, new ExpectedLedger());

        assertThat(post("/actuator/pipeline/resume", null).statusCode()).isEqualTo(401);
        assertThat(post("/actuator/pipeline/resume", "ops:wrong").statusCode()).isEqualTo(401);
        assertThat(post("/actuator/pipeline/resume", "intruder:" + PASSWORD).statusCode()).isEqualTo(401);
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.STOPPED);
        assertThat(get("/actuator/health/readiness").statusCode()).as("not ready while stopped").isEqualTo(503);

        HttpResponse<String> resumed = post("/actuator/pipeline/resume", "ops:" + PASSWORD);
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(resumed.body()).contains("\"state\":\"RUNNING\"");
        await(Duration.ofSeconds(30)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().totals().written() >= 500);

        HttpResponse<String> status = get("/actuator/pipeline");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"state\":\"RUNNING\"", "\"partitions\"", "\"committed\"", "\"completed\"", "\"sizing\"");
        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("sluice_records_total{", "sluice_inflight_records{");
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        HttpResponse<String> drained = post("/actuator/pipeline/drain?wait=20s", "ops:" + PASSWORD);
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(drained.body()).contains("\"done\":true", "\"state\":\"STOPPED\"", "\"mode\":\"drain\"");
        assertThat(get("/actuator/health/readiness").statusCode()).as("out of service once drained").isEqualTo(503);
        assertThat(get("/actuator/health/liveness").statusCode()).as("liveness untouched").isEqualTo(200);

        assertThat(post("/actuator/pipeline/reboot", "ops:" + PASSWORD).statusCode()).isEqualTo(400);
        assertThat(post("/actuator/pipeline/abort", "ops:" + PASSWORD).statusCode()).as("abort when stopped answers").isEqualTo(200);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
