package dev.sluice.deploy;

import static dev.sluice.deploy.RenderedChart.asMap;
import static dev.sluice.deploy.RenderedChart.list;
import static dev.sluice.deploy.RenderedChart.map;
import static dev.sluice.deploy.SluiceChart.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's extension points for a secured Kafka or PostgreSQL (extra volumes and mounts,
 * envFrom), its name overrides and NetworkPolicy, rendered; and its schema refusing a value it
 * does not know or a {@code config} key it sets itself.
 */
class HelmChartExtensionsTest {

    /** The two values the chart requires, for renders with a values file of the test's own. */
    private static final Map<String, Object> PASSWORDS = sets("database.password", "x", "ops.password", "y");

    @TempDir
    Path workDir;

    @Test
    void rendersExtraVolumesMountsAndEnvFromForATruststoreAndASaslSecret() throws IOException {
        Path values = values("""
                extraVolumes:
                  - name: kafka-tls
                    secret:
                      secretName: kafka-tls
                extraVolumeMounts:
                  - name: kafka-tls
                    mountPath: /etc/kafka-tls
                    readOnly: true
                envFrom:
                  - secretRef:
                      name: kafka-sasl
                """);

        RenderedChart chart = SluiceChart.render(values, PASSWORDS);

        assertThat(list(chart.podSpec(), "volumes")).extracting(volume -> asMap(volume).get("name"))
                .containsExactly("config", "tmp", "kafka-tls");
        assertThat(asMap(list(chart.podSpec(), "volumes").get(2))).containsEntry("secret", Map.of("secretName", "kafka-tls"));
        assertThat(list(chart.container(), "volumeMounts")).extracting(mount -> asMap(mount).get("mountPath"))
                .containsExactly("/config", "/tmp", "/etc/kafka-tls");
        assertThat(list(chart.container(), "envFrom")).containsExactly(Map.of("secretRef", Map.of("name", "kafka-sasl")));
        assertThat(chart.envNames()).contains("SPRING_DATASOURCE_PASSWORD", "SLUICE_OPS_PASSWORD");
    }

    @Test
    void rendersNoExtensionPointAndNoServiceLinksByDefault() {
        RenderedChart chart = SluiceChart.render(Map.of());

        assertThat(chart.container()).doesNotContainKey("envFrom");
        assertThat(list(chart.podSpec(), "volumes")).hasSize(2);
        assertThat(chart.podSpec()).containsEntry("enableServiceLinks", false);
    }

    @Test
    void nameOverrideAndFullnameOverrideNameEveryResource() {
        RenderedChart byDefault = SluiceChart.render(SluiceChart.ALL_FEATURES_VALUES, Map.of());
        RenderedChart renamed = SluiceChart.render(SluiceChart.ALL_FEATURES_VALUES, sets("nameOverride", "ledger"));
        RenderedChart full = SluiceChart.render(SluiceChart.ALL_FEATURES_VALUES, sets("fullnameOverride", "payments-ledger",
                "networkPolicy.enabled", true));

        assertThat(names(byDefault)).allMatch(name -> name.startsWith("sluice"));
        assertThat(names(renamed)).allMatch(name -> name.startsWith("sluice-ledger"));
        assertThat(map(renamed.single("Deployment"), "spec", "selector", "matchLabels"))
                .containsEntry("app.kubernetes.io/name", "ledger");
        assertThat(names(full)).hasSizeGreaterThan(6).allMatch(name -> name.startsWith("payments-ledger"));
        Map<String, Object> configVolume = asMap(list(full.podSpec(), "volumes").getFirst());
        assertThat(map(configVolume, "configMap")).containsEntry("name", "payments-ledger");
        assertThat(map(full.single("ScaledObject"), "spec", "scaleTargetRef")).containsEntry("name", "payments-ledger");
        assertThat(map(full.single("Service"), "metadata")).containsEntry("name", "payments-ledger");
    }

    @Test
    void theMetricsApplicationTagIsNotAResourceName() {
        RenderedChart renamed = SluiceChart.render(sets("nameOverride", "ledger", "prometheusRule.enabled", true));

        List<String> expressions = list(map(renamed.single("PrometheusRule"), "spec"), "groups").stream()
                .flatMap(group -> list(asMap(group), "rules").stream())
                .map(rule -> String.valueOf(asMap(rule).get("expr")))
                .toList();

        assertThat(expressions).isNotEmpty().allMatch(expr -> expr.contains("application=\"sluice\""));
    }

    @Test
    void networkPolicyAdmitsOnlyTheGivenPeersToTheManagementPortAndRendersOnlyWhenEnabled() throws IOException {
        Path values = values("""
                networkPolicy:
                  enabled: true
                  ingressFrom:
                    - namespaceSelector:
                        matchLabels:
                          kubernetes.io/metadata.name: monitoring
                      podSelector:
                        matchLabels:
                          app.kubernetes.io/name: prometheus
                """);

        assertThat(SluiceChart.render(Map.of()).ofKind("NetworkPolicy")).isEmpty();
        Map<String, Object> spec = map(SluiceChart.render(values, PASSWORDS).single("NetworkPolicy"), "spec");

        assertThat(map(spec, "podSelector", "matchLabels")).containsEntry("app.kubernetes.io/name", "sluice")
                .containsEntry("app.kubernetes.io/instance", SluiceChart.RELEASE);
        assertThat(list(spec, "policyTypes")).containsExactly("Ingress");
        Map<String, Object> rule = asMap(list(spec, "ingress").getFirst());
        assertThat(list(rule, "ports")).containsExactly(Map.of("port", "management", "protocol", "TCP"));
        assertThat(asMap(list(rule, "from").getFirst())).containsOnlyKeys("namespaceSelector", "podSelector");
        assertThat(list(map(SluiceChart.render(sets("networkPolicy.enabled", true)).single("NetworkPolicy"), "spec"), "ingress"))
                .as("no peers: nothing admitted").isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"kafka.bootstrapServer, bootstrapServer", "databse.url, databse", "shutdown.drainDeadline, drainDeadline",
        "networkPolicy.from, from", "probes.startup.initialDelaySeconds, initialDelaySeconds", "keda.scaleUp.pods, pods",
        "nameOverrides, nameOverrides"})
    void templateRefusesAValueTheChartDoesNotKnow(String unknown, String named) {
        assertThatThrownBy(() -> SluiceChart.render(sets(unknown, "x")))
                .hasMessageContaining("additional properties '" + named + "' not allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.sluice.source.topic", "config.sluice.source.deadLetterTopic", "config.sluice.shutdown.drain-deadline",
        "config.sluice.ops.password", "config.spring.datasource.url", "config.spring.kafka.bootstrap-servers",
        "config.spring.kafka.consumer.group-id", "config.spring.lifecycle.timeout-per-shutdown-phase", "config.server.port"})
    void templateRefusesAConfigKeyTheChartSetsItself(String owned) {
        assertThatThrownBy(() -> SluiceChart.render(sets(owned, "x")))
                .hasMessageContaining("at '/" + owned.replace('.', '/') + "'");
    }

    @Test
    void aDottedConfigKeyTheChartSetsIsRefusedTooAndOtherConfigKeysPass() throws IOException {
        assertThatThrownBy(() -> SluiceChart.render(values("config: {sluice.shutdown.mode: abort}"), Map.of()))
                .hasMessageContaining("at '/config/sluice.shutdown.mode'");

        RenderedChart chart = SluiceChart.render(values("""
                config:
                  sluice:
                    flow: {max-in-flight: 5000}
                    source: {poll-timeout: 200ms}
                  spring:
                    kafka:
                      properties: {security.protocol: SASL_SSL}
                      consumer: {max-poll-records: 500}
                """), PASSWORDS);
        assertThat(map(chart.applicationYaml(), "sluice", "source")).containsEntry("poll-timeout", "200ms")
                .containsEntry("topic", "payments");
    }

    @Test
    void lintRefusesAnUnknownValueAndAChartOwnedConfigKey() throws IOException {
        LintResult unknown = SluiceChart.lintStrict(workDir.resolve("unknown"),
                values("database: {password: x, urll: jdbc:postgresql://db/x}\nops: {password: y}\n"));
        LintResult owned = SluiceChart.lintStrict(workDir.resolve("owned"),
                values("database: {password: x}\nops: {password: y}\nconfig: {sluice: {shutdown: {mode: abort}}}\n"));

        assertThat(unknown.isFailed()).isTrue();
        assertThat(String.join("\n", unknown.getMessages())).contains("urll");
        assertThat(owned.isFailed()).isTrue();
        assertThat(String.join("\n", owned.getMessages())).contains("/config/sluice/shutdown/mode");
    }

    private Path values(String yaml) throws IOException {
        Path file = Files.createTempFile(workDir, "values", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static List<String> names(RenderedChart chart) {
        return chart.manifests().stream().map(manifest -> (String) map(manifest, "metadata").get("name")).toList();
    }
}
