package dev.sluice.ops;

import dev.sluice.testinfra.SimulatedCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The metrics move with the traffic, appear in the Prometheus scrape, and feed the shipped dashboard. */
@TestPropertySource(properties = {"sluice.flow.max-in-flight=400", "sluice.flow.worker-permits=50", "sluice.lag.refresh-interval=500ms"})
class ObservabilityIT extends IntegrationTest {

    /** Slow while {@code slow} is set: the source hits its in-flight bound (a backpressure phase). */
    static final class ThrottleStep implements ProcessStep<Payment> {
        volatile boolean slow = true;

        @Override
        public Payment apply(Payment payment) throws InterruptedException {
            if (slow) {
                SimulatedCall.take(Duration.ofMillis(20));
            }
            return payment;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Steps {
        @Bean
        ThrottleStep throttleStep() {
            return new ThrottleStep();
        }
    }

    @Autowired
    ThrottleStep step;
    @LocalServerPort
    int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void metricsMoveWithTrafficAndBackpressureAndTheDashboardQueriesOnlyMetricsThatExist() throws Exception {
        traffic.createTopics(4, topicName(), deadLetterTopic());
        traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix("obs"), 200)
                .withDuplicates(0.05).withInvalid(0.02)), 6_000, new ExpectedLedger());
        pipeline.resume();
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().paused());
        step.slow = false;
        awaitNoLag(Duration.ofMinutes(2));
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        // per-partition gauges are sampled every few seconds (PartitionGauges): wait for a sample
        await(Duration.ofSeconds(30)).until(() -> get("/actuator/prometheus").body().contains("sluice_partition_offset{"));
        String scrape = get("/actuator/prometheus").body();
        Files.writeString(Path.of("target", "observability-scrape.txt"), scrape);
        assertThat(value(scrape, "sluice_records_total\\{.*outcome=\"written\".*}")).isPositive();
        assertThat(value(scrape, "sluice_records_total\\{.*outcome=\"duplicate\".*}")).isPositive();
        assertThat(value(scrape, "sluice_records_dead_lettered_total\\{.*reason=\"invalid\".*}")).isPositive();
        assertThat(value(scrape, "sluice_records_dead_lettered_total\\{.*reason=\"malformed\".*}")).isPositive();
        assertThat(value(scrape, "sluice_backpressure_pauses_total")).as("the bound was hit").isPositive();
        assertThat(value(scrape, "sluice_backpressure_paused_time_seconds_total")).isPositive();
        assertThat(value(scrape, "sluice_inflight_records_limit")).isEqualTo(400);
        assertThat(value(scrape, "sluice_partition_offset\\{.*kind=\"committed\".*partition=\"0\".*topic=\"" + Pattern.quote(topicName()) + "\".*}"))
                .as("topic and partition are separate tags (the value is -1 until the partition's first commit)")
                .isGreaterThanOrEqualTo(-1);
        assertThat(value(scrape, "sluice_batch_size_count")).isPositive();
        assertThat(value(scrape, "sluice_sink_transaction_seconds_count")).isPositive();
        assertThat(value(scrape, "sluice_latency_seconds_count")).isPositive();
        assertThat(value(scrape, "sluice_state\\{.*state=\"RUNNING\".*}")).isEqualTo(1);
        assertThat(scrape).contains("sluice_latency_seconds_bucket", "sluice_partition_offset{", "sluice_inflight_oldest_age_seconds",
                "sluice_stuck{", "kafka_consumer_fetch_manager_records_lag_max");
        assertThat(scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank()))
                .as("every series carries the application tag").allMatch(line -> line.contains("application=\"sluice\""));

        // broker-side lag: committed = end on every partition once the group has no lag
        await(Duration.ofSeconds(30)).untilAsserted(() -> {
            String lagScrape = get("/actuator/prometheus").body();
            assertThat(value(lagScrape, "sluice_group_lag\\{.*}")).isZero();
            for (int partition = 0; partition < 4; partition++) {
                String series = "sluice_partition_broker_offset\\{.*kind=\"%s\".*partition=\"" + partition + "\".*topic=\""
                        + Pattern.quote(topicName()) + "\".*}";
                double end = value(lagScrape, series.formatted("end"));
                assertThat(end).isPositive();
                assertThat(value(lagScrape, series.formatted("committed"))).isEqualTo(end);
            }
        });

        HttpResponse<String> drained = post("/actuator/pipeline/drain?wait=20s");
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").statusCode()).as("readiness flips with the drain").isEqualTo(503);
        String afterDrain = get("/actuator/prometheus").body();
        assertThat(value(afterDrain, "sluice_stop_seconds_count\\{.*mode=\"drain\".*}")).isEqualTo(1);
        assertThat(value(afterDrain, "sluice_state\\{.*state=\"STOPPED\".*}")).isEqualTo(1);

        String both = scrape + afterDrain;
        Set<String> missing = new TreeSet<>();
        for (Path dashboard : Files.newDirectoryStream(Path.of("helm", "sluice", "dashboards"), "*.json")) {
            JsonNode root = JsonMapper.shared().readTree(Files.readString(dashboard));
            for (JsonNode panel : root.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    for (String metric : metricNames(target.path("expr").asString())) {
                        // kafka-exporter's series, the panel's fallback when no Sluice pod is up: not ours to scrape
                        if (metric.startsWith("kafka_consumergroup_")) {
                            continue;
                        }
                        if (!Pattern.compile("(?m)^" + Pattern.quote(metric) + "[{ ]").matcher(both).find()) {
                            missing.add(dashboard.getFileName() + ": " + metric);
                        }
                    }
                }
            }
        }
        assertThat(missing).as("metrics queried by a dashboard but absent from the scrape").isEmpty();
    }

    /** Metric names in a PromQL expression: identifiers followed by a selector or range, excluding functions and labels. */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{|\\[)").matcher(expr);
        while (matcher.find()) {
            String name = matcher.group(1);
            if (name.contains("_") && !Set.of("by", "without", "on", "ignoring").contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    static double value(String scrape, String series) {
        // every series carries the application tag, so a series named without labels matches any label set
        String labelled = series.contains("\\{") ? series : series + "\\{[^}]*}";
        Matcher matcher = Pattern.compile("(?m)^" + labelled + " ([0-9.eE+-]+)").matcher(scrape);
        double total = 0;
        boolean found = false;
        while (matcher.find()) {
            total += Double.parseDouble(matcher.group(1));
            found = true;
        }
        assertThat(found).as("series %s in the scrape", series).isTrue();
        return total;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("ops:test-ops-secret".getBytes()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
