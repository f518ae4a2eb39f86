package dev.sluice.deploy;

import static dev.sluice.deploy.RenderedChart.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Dockerfile, read as text (no Docker engine needed): the runtime image the chart relies on. */
class DockerfileTest {

    private static final ApplicationSettings APP = ApplicationSettings.load();

    @Test
    void runsBootsLayeredJarOnAJre25() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));

        assertThat(dockerfile)
                .contains("FROM eclipse-temurin:25-jdk AS build")
                .contains("-Djarmode=tools -jar app.jar extract --layers --launcher")
                .contains("org.springframework.boot.loader.launch.JarLauncher")
                .contains("-XX:MaxRAMPercentage=")
                .contains("EXPOSE " + APP.managementPort());
        assertThat(lastFrom(dockerfile)).isEqualTo("FROM eclipse-temurin:25-jre");
    }

    /**
     * The collector is named (the JVM's own choice below 2 processors or ~1.8 GB is Serial), the
     * JVM's own OutOfMemoryError ends the process (what docs/DEPLOY.md says the image does), and
     * the processor count is left to the chart's JDK_JAVA_OPTIONS, which ENTRYPOINT flags would
     * override.
     */
    @Test
    void choosesG1ExitsOnOutOfMemoryAndLeavesTheProcessorCountToTheChart() throws IOException {
        List<String> flags = HelmChartJvmTest.entrypointJvmFlags();

        assertThat(flags).startsWith("java").contains("-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
        assertThat(flags).noneMatch(flag -> flag.matches("-XX:\\+Use(Serial|Parallel|Z|Shenandoah|Epsilon)GC"));
        assertThat(flags).noneMatch(flag -> flag.startsWith("-XX:ActiveProcessorCount"));
        assertThat(Files.readString(Path.of("docs/DEPLOY.md")))
                .contains("-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-XX:ActiveProcessorCount");
    }

    @Test
    void runsAsTheNonRootUserTheChartExpects() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Map<String, Object> podSecurity = map(SluiceChart.render(Map.of()).podSpec(), "securityContext");

        String user = dockerfile.lines().filter(line -> line.startsWith("USER ")).reduce((first, last) -> last).orElseThrow();
        assertThat(user).isEqualTo("USER " + podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup"));
        assertThat(podSecurity.get("runAsUser")).isNotEqualTo(0);
    }

    @Test
    void shipsCurlForThePreStopDrain() throws IOException {
        String runtimeStage = Files.readString(Path.of("Dockerfile")).split("(?m)^FROM eclipse-temurin:25-jre$")[1];

        assertThat(runtimeStage).contains("apt-get install -y --no-install-recommends curl");
    }

    @Test
    void buildContextCarriesOnlyTheBuildInputs() throws IOException {
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));

        assertThat(ignore).contains("*", "!mvnw", "!.mvn/", "!pom.xml", "!src/", "!db/");
    }

    private static String lastFrom(String dockerfile) {
        return dockerfile.lines().filter(line -> line.startsWith("FROM ")).reduce((first, last) -> last).orElseThrow();
    }
}
