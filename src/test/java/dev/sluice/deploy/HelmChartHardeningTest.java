package dev.sluice.deploy;

import static dev.sluice.deploy.RenderedChart.map;
import static dev.sluice.deploy.SluiceChart.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the chart refuses and derives: the schema's types and ranges, the required passwords, the
 * preStop following shutdown.mode, and Boot's shutdown phase covering drain plus abort.
 */
class HelmChartHardeningTest {

    @TempDir
    Path workDir;

    @Test
    void preStopPostsTheConfiguredShutdownMode() {
        String drain = SluiceChart.render(Map.of()).preStopCommand().get(2);
        String abort = SluiceChart.render(sets("shutdown.mode", "abort")).preStopCommand().get(2);

        assertThat(drain).contains("-X POST", "/actuator/pipeline/drain?wait=30s").doesNotContain("/abort");
        assertThat(abort).contains("-X POST", "/actuator/pipeline/abort?wait=30s").doesNotContain("/drain");
        assertThat(SluiceChart.render(sets("shutdown.mode", "abort")).applicationYaml())
                .extracting(yaml -> map(yaml, "sluice", "shutdown").get("mode")).isEqualTo("abort");
    }

    @Test
    void lintRefusesADrainDeadlineWrittenAsADuration() throws IOException {
        LintResult result = SluiceChart.lintStrict(workDir, overlay("""
                database: {password: x}
                ops: {password: y}
                shutdown: {drainDeadlineSeconds: "60s"}
                """));

        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("drainDeadlineSeconds");
    }

    @Test
    void templateRefusesADrainDeadlineThatIsNotAPositiveInteger() {
        assertThatThrownBy(() -> SluiceChart.render(sets("shutdown.drainDeadlineSeconds", "60s")))
                .hasMessageContaining("drainDeadlineSeconds");
        assertThatThrownBy(() -> SluiceChart.render(sets("shutdown.drainDeadlineSeconds", 0)))
                .hasMessageContaining("drainDeadlineSeconds");
        assertThatThrownBy(() -> SluiceChart.render(sets("shutdown.mode", "pause")))
                .hasMessageContaining("/shutdown/mode").hasMessageContaining("'drain', 'abort'");
        assertThatThrownBy(() -> SluiceChart.render(sets("shutdown.abortTimeout", "soon")))
                .hasMessageContaining("abortTimeout");
    }

    @Test
    void templateWithoutThePasswordsFailsNamingTheMissingValue() {
        assertThatThrownBy(() -> SluiceChart.render(null, Map.of()))
                .hasMessageContaining("database.password is required")
                .hasMessageContaining("existingSecret.name");
        assertThatThrownBy(() -> SluiceChart.render(null, sets("database.password", "x")))
                .hasMessageContaining("ops.password is required");
    }

    @Test
    void anExistingSecretMakesThePasswordsOptional() {
        RenderedChart chart = SluiceChart.render(null, sets("existingSecret.name", "sluice-credentials"));

        assertThat(chart.ofKind("Secret")).isEmpty();
        assertThat(map(chart.env("SPRING_DATASOURCE_PASSWORD"), "valueFrom", "secretKeyRef"))
                .containsEntry("name", "sluice-credentials");
    }

    @Test
    void bootsShutdownPhaseCoversTheDrainDeadlinePlusTheAbortTimeout() {
        RenderedChart chart = SluiceChart.render(sets("shutdown.drainDeadlineSeconds", 40, "shutdown.abortTimeout", "7s"));

        String phase = map(chart.applicationYaml(), "spring", "lifecycle").get("timeout-per-shutdown-phase").toString();
        assertThat(Duration.parse("PT" + phase.toUpperCase())).isGreaterThanOrEqualTo(Duration.ofSeconds(40 + 7));
        assertThat(((Number) chart.podSpec().get("terminationGracePeriodSeconds")).longValue())
                .isGreaterThanOrEqualTo(Duration.parse("PT" + phase.toUpperCase()).toSeconds());
    }

    private Path overlay(String yaml) throws IOException {
        Path file = workDir.resolve("overlay-values.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
