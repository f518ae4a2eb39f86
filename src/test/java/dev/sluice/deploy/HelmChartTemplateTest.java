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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The manifests {@code helm template} renders, checked against the application's contracts. */
class HelmChartTemplateTest {

    private static final ApplicationSettings APP = ApplicationSettings.load();

    @Test
    void graceExceedsDrainDeadlineWithDefaults() {
        RenderedChart chart = SluiceChart.render(Map.of());

        assertThat(gracePeriodSeconds(chart)).isGreaterThan(drainDeadlineSeconds(chart));
        assertThat(drainDeadlineSeconds(chart)).isEqualTo(30);
    }

    @Test
    void graceExceedsDrainDeadlineEvenWhenValueIsSmaller() {
        RenderedChart chart = SluiceChart.render(sets(
                "shutdown.drainDeadlineSeconds", 120,
                "terminationGracePeriodSeconds", 10));

        assertThat(drainDeadlineSeconds(chart)).isEqualTo(120);
        assertThat(gracePeriodSeconds(chart)).isGreaterThan(120);
    }

    @Test
    void graceKeepsALargerValue() {
        RenderedChart chart = SluiceChart.render(sets("terminationGracePeriodSeconds", 600));

        assertThat(gracePeriodSeconds(chart)).isEqualTo(600);
    }

    @Test
    void bootsShutdownPhaseOutlastsTheDrainAndFitsInTheGracePeriod() {
        RenderedChart chart = SluiceChart.render(sets("shutdown.drainDeadlineSeconds", 90));

        Map<String, Object> spring = map(chart.applicationYaml(), "spring", "lifecycle");
        long phase = Duration.parse("PT" + spring.get("timeout-per-shutdown-phase").toString().toUpperCase()).toSeconds();
        assertThat(phase).isGreaterThan(drainDeadlineSeconds(chart));
        assertThat(gracePeriodSeconds(chart)).isGreaterThanOrEqualTo(phase);
    }

    @Test
    void preStopDrainsWithTheSecretsCredentials() {
        RenderedChart chart = SluiceChart.render(sets("ops.password", "s3cret-ops"));

        String script = String.join(" ", preStopCommand(chart));
        assertThat(script)
                .contains("curl")
                .contains("-X POST")
                .contains("http://localhost:" + APP.managementPort() + APP.actuatorBasePath() + "/pipeline/drain?wait=30s")
                .contains("-u \"$SLUICE_OPS_USERNAME:$SLUICE_OPS_PASSWORD\"")
                .contains("--max-time")
                .doesNotContain("s3cret-ops");
        Map<String, Object> passwordRef = map(chart.env("SLUICE_OPS_PASSWORD"), "valueFrom", "secretKeyRef");
        Map<String, Object> secret = chart.single("Secret");
        assertThat(passwordRef.get("name")).isEqualTo(map(secret, "metadata").get("name"));
        assertThat(map(secret, "data")).containsKey((String) passwordRef.get("key"));
        assertThat(chart.env("SLUICE_OPS_USERNAME")).containsEntry("value", "ops");
    }

    @Test
    void preStopWaitsAsLongAsTheDrainDeadline() {
        RenderedChart chart = SluiceChart.render(sets("shutdown.drainDeadlineSeconds", 75));

        String script = String.join(" ", preStopCommand(chart));
        assertThat(script).contains("drain?wait=75s");
        long maxTime = Long.parseLong(script.replaceAll("(?s).*--max-time (\\d+).*", "$1"));
        assertThat(maxTime).isGreaterThan(75).isLessThan(gracePeriodSeconds(chart));
    }

    @Test
    void probesUseTheApplicationsManagementPortAndHealthGroups() {
        RenderedChart chart = SluiceChart.render(Map.of());
        Map<String, Object> container = chart.container();

        assertThat(APP.probesEnabled()).as("management.endpoint.health.probes.enabled").isTrue();
        Map<String, Object> port = asMap(list(container, "ports").getFirst());
        assertThat(port.get("containerPort")).isEqualTo(APP.managementPort());
        assertThat(probe(container, "startupProbe")).containsEntry("path", APP.healthGroupPath("liveness"));
        assertThat(probe(container, "livenessProbe")).containsEntry("path", APP.healthGroupPath("liveness"));
        assertThat(probe(container, "readinessProbe")).containsEntry("path", APP.healthGroupPath("readiness"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(probe(container, probe).get("port")).as(probe).isIn(port.get("name"), APP.managementPort());
        }
        Map<String, Object> servicePort = asMap(list(map(chart.single("Service"), "spec"), "ports").getFirst());
        assertThat(servicePort.get("targetPort")).isIn(port.get("name"), APP.managementPort());
    }

    @Test
    void secretValuesNeverAppearInAConfigMap() {
        RenderedChart chart = SluiceChart.render(sets(
                "database.password", "db-pass-6f1c",
                "ops.password", "ops-pass-93ab",
                "grafanaDashboard.enabled", true));

        assertThat(chart.ofKind("ConfigMap")).isNotEmpty().allSatisfy(configMap ->
                assertThat(new org.yaml.snakeyaml.Yaml().dump(configMap))
                        .doesNotContain("db-pass-6f1c")
                        .doesNotContain("ops-pass-93ab"));
        assertThat(chart.single("Secret").toString()).doesNotContain("db-pass-6f1c");
        assertThat(map(chart.env("SPRING_DATASOURCE_PASSWORD"), "valueFrom")).containsKey("secretKeyRef");
        assertThat(chart.container().toString()).doesNotContain("db-pass-6f1c").doesNotContain("ops-pass-93ab");
    }

    @Test
    void existingSecretReplacesTheChartsSecret() {
        RenderedChart chart = SluiceChart.render(sets(
                "existingSecret.name", "payments-credentials",
                "existingSecret.opsPasswordKey", "ops"));

        assertThat(chart.ofKind("Secret")).isEmpty();
        assertThat(map(chart.env("SLUICE_OPS_PASSWORD"), "valueFrom", "secretKeyRef"))
                .containsEntry("name", "payments-credentials")
                .containsEntry("key", "ops");
        assertThat(map(chart.env("SPRING_DATASOURCE_PASSWORD"), "valueFrom", "secretKeyRef"))
                .containsEntry("name", "payments-credentials");
    }

    @Test
    void kedaAndServiceMonitorRenderOnlyWhenEnabled() {
        RenderedChart defaults = SluiceChart.render(Map.of());
        RenderedChart enabled = SluiceChart.render(sets("keda.enabled", true, "serviceMonitor.enabled", true));

        assertThat(defaults.ofKind("ScaledObject")).isEmpty();
        assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();
        assertThat(map(defaults.single("Deployment"), "spec")).containsKey("replicas");

        Map<String, Object> scaledObject = enabled.single("ScaledObject");
        assertThat(scaledObject).containsEntry("apiVersion", "keda.sh/v1alpha1");
        Map<String, Object> trigger = asMap(list(map(scaledObject, "spec"), "triggers").getFirst());
        assertThat(trigger).containsEntry("type", "kafka");
        assertThat(map(trigger, "metadata"))
                .containsEntry("consumerGroup", "sluice")
                .containsEntry("topic", "payments")
                .containsKey("lagThreshold");
        assertThat(map(enabled.single("Deployment"), "spec")).doesNotContainKey("replicas");

        Map<String, Object> serviceMonitor = enabled.single("ServiceMonitor");
        assertThat(serviceMonitor).containsEntry("apiVersion", "monitoring.coreos.com/v1");
        assertThat(asMap(list(map(serviceMonitor, "spec"), "endpoints").getFirst()))
                .containsEntry("port", "management")
                .containsEntry("path", APP.actuatorBasePath() + "/prometheus");
    }

    @Test
    void kedaNeverScalesAbovePartitionCountUnlessAllowed() {
        RenderedChart byDefault = SluiceChart.render(sets("keda.enabled", true, "kafka.partitions", 12));
        assertThat(map(byDefault.single("ScaledObject"), "spec")).containsEntry("maxReplicaCount", 12);

        assertThatThrownBy(() -> SluiceChart.render(sets(
                "keda.enabled", true, "kafka.partitions", 6, "keda.maxReplicaCount", 20)))
                .hasMessageContaining("keda.allowAbovePartitionCount");

        RenderedChart allowed = SluiceChart.render(sets(
                "keda.enabled", true, "kafka.partitions", 6, "keda.maxReplicaCount", 20,
                "keda.allowAbovePartitionCount", true));
        assertThat(map(allowed.single("ScaledObject"), "spec")).containsEntry("maxReplicaCount", 20);
    }

    @Test
    void dashboardConfigMapCarriesTheGrafanaLabelOnlyWhenEnabled() {
        RenderedChart defaults = SluiceChart.render(Map.of());
        RenderedChart enabled = SluiceChart.render(sets("grafanaDashboard.enabled", true));

        assertThat(defaults.ofKind("ConfigMap")).noneMatch(HelmChartTemplateTest::isDashboard);
        assertThat(enabled.ofKind("ConfigMap")).filteredOn(HelmChartTemplateTest::isDashboard).hasSize(1);
    }

    @Test
    void dashboardConfigMapCarriesEveryDashboardFileAsValidJson() throws IOException {
        RenderedChart chart = SluiceChart.render(sets("grafanaDashboard.enabled", true));
        Map<String, Object> data = map(chart.ofKind("ConfigMap").stream()
                .filter(HelmChartTemplateTest::isDashboard).findFirst().orElseThrow(), "data");

        List<Path> files;
        try (Stream<Path> listing = Files.list(SluiceChart.DIR.resolve("dashboards"))) {
            files = listing.filter(file -> file.toString().endsWith(".json")).toList();
        }
        assertThat(data.keySet()).containsExactlyInAnyOrderElementsOf(
                files.stream().map(file -> file.getFileName().toString()).toList());
        JsonMapper json = JsonMapper.builder().build();
        data.forEach((name, content) -> {
            JsonNode dashboard = json.readTree(content.toString());
            assertThat(dashboard.path("uid").asString()).as(name).isNotBlank();
            assertThat(dashboard.path("panels").isArray()).as(name).isTrue();
        });
    }

    @Test
    void rollingUpdateSurgesBeforeAnOldPodDrains() {
        RenderedChart chart = SluiceChart.render(Map.of());

        assertThat(map(chart.single("Deployment"), "spec", "strategy", "rollingUpdate"))
                .containsEntry("maxSurge", 1)
                .containsEntry("maxUnavailable", 0);
        assertThat(map(chart.single("PodDisruptionBudget"), "spec")).containsEntry("maxUnavailable", 1);
    }

    @Test
    void podRunsAsNonRootWithReadOnlyRootAndWritableTmp() {
        RenderedChart chart = SluiceChart.render(Map.of());
        Map<String, Object> pod = chart.podSpec();
        Map<String, Object> container = chart.container();

        assertThat(map(pod, "securityContext")).containsEntry("runAsNonRoot", true);
        assertThat(map(pod, "securityContext", "seccompProfile")).containsEntry("type", "RuntimeDefault");
        Map<String, Object> containerSecurity = map(container, "securityContext");
        assertThat(containerSecurity)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(list(map(containerSecurity, "capabilities"), "drop")).containsExactly("ALL");
        assertThat(list(container, "volumeMounts")).anySatisfy(mount -> assertThat(asMap(mount)).containsEntry("mountPath", "/tmp"));
        assertThat(list(pod, "volumes")).anySatisfy(volume -> assertThat(asMap(volume)).containsKey("emptyDir"));
        assertThat(map(container, "resources")).containsKeys("requests", "limits");
    }

    @Test
    void configMapIsTheApplicationsAdditionalConfigLocation() {
        RenderedChart chart = SluiceChart.render(sets("config.sluice.flow.max-in-flight", 8000));

        assertThat(map(chart.applicationYaml(), "sluice", "flow")).containsEntry("max-in-flight", 8000);
        assertThat(map(chart.applicationYaml(), "sluice", "source")).containsEntry("topic", "payments");
        assertThat(chart.env("SPRING_CONFIG_ADDITIONAL_LOCATION")).containsEntry("value", "file:/config/");
        assertThat(list(chart.container(), "volumeMounts"))
                .anySatisfy(mount -> assertThat(asMap(mount)).containsEntry("mountPath", "/config"));
    }

    private static boolean isDashboard(Map<String, Object> configMap) {
        return "1".equals(map(configMap, "metadata", "labels").get("grafana_dashboard"));
    }

    private static long gracePeriodSeconds(RenderedChart chart) {
        return ((Number) chart.podSpec().get("terminationGracePeriodSeconds")).longValue();
    }

    /** sluice.shutdown.drain-deadline as the application reads it from the chart's ConfigMap. */
    private static long drainDeadlineSeconds(RenderedChart chart) {
        String deadline = map(chart.applicationYaml(), "sluice", "shutdown").get("drain-deadline").toString();
        return Duration.parse("PT" + deadline.toUpperCase()).toSeconds();
    }

    private static List<String> preStopCommand(RenderedChart chart) {
        return list(map(chart.container(), "lifecycle", "preStop", "exec"), "command").stream()
                .map(Object::toString)
                .toList();
    }

    private static Map<String, Object> probe(Map<String, Object> container, String probe) {
        return map(container, probe, "httpGet");
    }
}
