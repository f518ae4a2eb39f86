package dev.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelmChartLintTest {

    @TempDir
    Path workDir;

    @Test
    void lintsStrictWithDefaultsAndTheRequiredPasswords() {
        LintResult result = SluiceChart.lintStrict(workDir, SluiceChart.MINIMAL_VALUES);

        assertThat(SluiceChart.problems(result)).as(String.join("\n", result.getMessages())).isEmpty();
        assertThat(result.isFailed()).isFalse();
    }

    @Test
    void lintsStrictWithEveryOptionalFeatureOn() {
        LintResult result = SluiceChart.lintStrict(workDir, SluiceChart.ALL_FEATURES_VALUES);

        assertThat(SluiceChart.problems(result)).as(String.join("\n", result.getMessages())).isEmpty();
        assertThat(result.isFailed()).isFalse();
    }
}
