package dev.sluice.deploy;

import static dev.sluice.deploy.RenderedChart.asMap;
import static dev.sluice.deploy.RenderedChart.list;
import static dev.sluice.deploy.RenderedChart.map;
import static dev.sluice.deploy.SluiceChart.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The chart's alerts, autoscaling during outages and lag panel, as {@code helm template} renders them. */
class HelmOperabilityTemplateTest {

    @Test
    void prometheusRuleRendersOnlyWhenEnabledWithEveryAlertSelectingTheApplicationTag() {
        assertThat(SluiceChart.render(Map.of()).ofKind("PrometheusRule")).isEmpty();

        Map<String, Object> rule = SluiceChart.render(sets("prometheusRule.enabled", true)).single("PrometheusRule");

        assertThat(rule).containsEntry("apiVersion", "monitoring.coreos.com/v1");
        List<Map<String, Object>> rules = list(asMap(list(map(rule, "spec"), "groups").getFirst()), "rules").stream()
                .map(RenderedChart::asMap).toList();
        assertThat(rules).extracting(r -> r.get("alert")).containsExactlyInAnyOrder("SluicePipelineNotRunning",
                "SluicePipelineAbsent", "SluiceStuckWork", "SluiceDeadLetterRate", "SluiceSustainedRetries", "SluicePartitionNotOwned", "SluiceLagGrowing");
        assertThat(rules).allSatisfy(r -> {
            assertThat((String) r.get("expr")).contains("application=\"sluice\"");
            assertThat(r).containsKeys("for", "labels", "annotations");
        });
        Map<String, String> exprs = new java.util.HashMap<>();
        rules.forEach(r -> exprs.put((String) r.get("alert"), (String) r.get("expr")));
        assertThat(exprs.get("SluicePipelineNotRunning")).contains("sluice_state{", "state=\"RUNNING\"}", "== 0");
        assertThat(exprs.get("SluiceStuckWork")).contains("sluice_stuck{");
        assertThat(exprs.get("SluiceDeadLetterRate")).contains("rate(sluice_records_dead_lettered_total{", "> 1");
        assertThat(exprs.get("SluiceSustainedRetries")).contains("rate(sluice_retries_total{", "by (namespace, pod, stage)");
        assertThat(exprs.get("SluicePartitionNotOwned")).contains("sluice_partition_unowned{", "> 0");
        assertThat(exprs.get("SluiceLagGrowing")).contains("sluice_group_lag{", "deriv(", "> 10000");
    }

    @Test
    void kedaDoesNotScaleOutOnLagThatDoesNotMove() {
        Map<String, Object> scaledObject = SluiceChart.render(sets("keda.enabled", true)).single("ScaledObject");

        Map<String, Object> trigger = map(asMap(list(map(scaledObject, "spec"), "triggers").getFirst()), "metadata");
        assertThat(trigger)
                .containsEntry("excludePersistentLag", "true")
                .containsEntry("activationLagThreshold", "100")
                .containsEntry("lagThreshold", "1000");
        Map<String, Object> scaleUp = map(scaledObject, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleUp");
        assertThat(scaleUp).containsEntry("stabilizationWindowSeconds", 120).containsEntry("selectPolicy", "Min");
        assertThat(asMap(list(scaleUp, "policies").getFirst()))
                .containsEntry("type", "Pods").containsEntry("value", 1).containsEntry("periodSeconds", 60);
    }

    @Test
    void kedaOutageSettingsAreValues() {
        Map<String, Object> scaledObject = SluiceChart.render(sets("keda.enabled", true, "keda.excludePersistentLag", false,
                "keda.activationLagThreshold", "5000", "keda.scaleUp.podsPerPeriod", 2)).single("ScaledObject");

        assertThat(map(asMap(list(map(scaledObject, "spec"), "triggers").getFirst()), "metadata"))
                .containsEntry("excludePersistentLag", "false")
                .containsEntry("activationLagThreshold", "5000");
        Map<String, Object> scaleUp = map(scaledObject, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleUp");
        assertThat(asMap(list(scaleUp, "policies").getFirst())).containsEntry("value", 2);
    }

    @Test
    void theReadmesTracingSettingReachesTheApplicationConfig() {
        Map<String, Object> yaml = SluiceChart.render(sets("config.management.opentelemetry.tracing.export.otlp.endpoint",
                "http://otel-collector:4318/v1/traces")).applicationYaml();

        assertThat(map(yaml, "management", "opentelemetry", "tracing", "export", "otlp"))
                .containsEntry("endpoint", "http://otel-collector:4318/v1/traces");
    }

    @Test
    void theSchemaRefusesMistypedAlertAndAutoscalingValues() {
        assertThatThrownBy(() -> SluiceChart.render(sets("prometheusRule.enabled", true, "prometheusRule.notRunningFor", "5 minutes")))
                .hasMessageContaining("notRunningFor");
        assertThatThrownBy(() -> SluiceChart.render(sets("prometheusRule.enabled", true, "prometheusRule.deadLetterRatePerSecond", 0)))
                .hasMessageContaining("deadLetterRatePerSecond");
        assertThatThrownBy(() -> SluiceChart.render(sets("keda.enabled", true, "keda.excludePersistentLag", "yes")))
                .hasMessageContaining("excludePersistentLag");
        assertThatThrownBy(() -> SluiceChart.render(sets("keda.enabled", true, "keda.scaleUp.podsPerPeriod", 0)))
                .hasMessageContaining("podsPerPeriod");
        assertThatThrownBy(() -> SluiceChart.render(sets("keda.enabled", true, "keda.activationLagThreshold", "lots")))
                .hasMessageContaining("activationLagThreshold");
    }

    @Test
    void lagPanelReadsBrokerSideOffsetsWithKafkaExporterAsFallback() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(Path.of("helm/sluice/dashboards/sluice-pipeline.json")));

        JsonNode lagPanel = null;
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("title").asString().startsWith("Consumer group lag")) {
                lagPanel = panel;
            }
        }
        assertThat(lagPanel).as("lag panel").isNotNull();
        String first = lagPanel.get("targets").get(0).get("expr").asString();
        assertThat(first).contains("sluice_group_lag{", " or ", "kafka_consumergroup_lag{");
        assertThat(lagPanel.get("targets").get(1).get("expr").asString()).contains("sluice_partition_broker_offset{");
    }
}
