package dev.sluice.deploy;

import static dev.sluice.deploy.SluiceChart.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JVM the chart's pod runs: the processor count the chart derives from the CPU request, and
 * that the image's own flags (read from the Dockerfile's ENTRYPOINT) keep it and pick G1 when a
 * real JVM starts with both, the way the container starts.
 */
class HelmChartJvmTest {

    @ParameterizedTest(name = "requests.cpu {0} -> {1} processors")
    @CsvSource({"500m, 1", "1m, 1", "1000m, 1", "1001m, 2", "1500m, 2", "2, 2", "0.5, 1", "2.5, 3", "16, 16"})
    void passesTheCpuRequestRoundedUpAsTheProcessorCount(String cpu, int processors) {
        RenderedChart chart = SluiceChart.render(sets("resources.requests.cpu", cpu));

        assertThat(chart.podEnvironment()).containsEntry("JDK_JAVA_OPTIONS", "-XX:ActiveProcessorCount=" + processors);
    }

    @Test
    void byDefaultTheJvmCountsOneProcessorForTheDefaultRequest() {
        RenderedChart chart = SluiceChart.render(Map.of());

        assertThat(chart.podEnvironment()).containsEntry("JDK_JAVA_OPTIONS", "-XX:ActiveProcessorCount=1");
    }

    @Test
    void anExplicitCountWinsAndExtraOptionsFollowIt() {
        RenderedChart chart = SluiceChart.render(sets("resources.requests.cpu", "500m", "jvm.activeProcessorCount", 4,
                "jvm.extraOptions", "-Xss512k"));

        assertThat(chart.podEnvironment()).containsEntry("JDK_JAVA_OPTIONS", "-XX:ActiveProcessorCount=4 -Xss512k");
    }

    @Test
    void withoutACpuRequestTheJvmCountsForItself() {
        RenderedChart withoutRequest = SluiceChart.render(sets("resources.requests.cpu", "null"));
        RenderedChart withExtraOptions = SluiceChart.render(sets("resources.requests.cpu", "null", "jvm.extraOptions", "-Xss512k"));

        assertThat(withoutRequest.envNames()).doesNotContain("JDK_JAVA_OPTIONS");
        assertThat(withExtraOptions.podEnvironment()).containsEntry("JDK_JAVA_OPTIONS", "-Xss512k");
    }

    @Test
    void refusesACpuRequestItCannotRoundAndACountBelowOne() {
        assertThatThrownBy(() -> SluiceChart.render(sets("resources.requests.cpu", "two")))
                .hasMessageContaining("resources.requests.cpu must look like 500m or 2")
                .hasMessageContaining("jvm.activeProcessorCount");
        assertThatThrownBy(() -> SluiceChart.render(sets("jvm.activeProcessorCount", 0)))
                .hasMessageContaining("at '/jvm/activeProcessorCount'");
    }

    /**
     * {@code JDK_JAVA_OPTIONS} as the chart renders it for a 2500m request, and the ENTRYPOINT's
     * flags as the Dockerfile lists them: the launcher puts the variable's flags first, so a
     * processor count in the image's flags would override the chart's. Starts a JVM (the one
     * running this test, a 25) with both and reads its final flags.
     */
    @Test
    void aJvmStartedLikeThePodKeepsTheChartsProcessorCountAndRunsG1() throws IOException, InterruptedException {
        String options = SluiceChart.render(sets("resources.requests.cpu", "2500m")).podEnvironment().get("JDK_JAVA_OPTIONS");
        List<String> command = new ArrayList<>(entrypointJvmFlags());
        command.set(0, ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));

        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JDK_JAVA_OPTIONS", options);
        Process jvm = builder.start();
        String flags = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(jvm.exitValue()).as(flags).isZero();
        assertThat(flag(flags, "ActiveProcessorCount")).isEqualTo("3");
        assertThat(flag(flags, "UseG1GC")).isEqualTo("true");
        assertThat(flag(flags, "UseSerialGC")).isEqualTo("false");
        assertThat(flag(flags, "ExitOnOutOfMemoryError")).isEqualTo("true");
    }

    /** The ENTRYPOINT's exec-form array up to (without) the main class. */
    static List<String> entrypointJvmFlags() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher entrypoint = Pattern.compile("(?ms)^ENTRYPOINT \\[(.*?)]").matcher(dockerfile);
        assertThat(entrypoint.find()).as("exec-form ENTRYPOINT").isTrue();
        List<String> words = new ArrayList<>();
        Matcher word = Pattern.compile("\"([^\"]*)\"").matcher(entrypoint.group(1));
        while (word.find()) {
            words.add(word.group(1));
        }
        assertThat(words.getLast()).isEqualTo("org.springframework.boot.loader.launch.JarLauncher");
        return words.subList(0, words.size() - 1);
    }

    private static String flag(String printFlagsFinal, String name) {
        Matcher line = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+:?=\\s+(\\S+)").matcher(printFlagsFinal);
        assertThat(line.find()).as("flag %s in %s", name, printFlagsFinal).isTrue();
        return line.group(1);
    }
}
