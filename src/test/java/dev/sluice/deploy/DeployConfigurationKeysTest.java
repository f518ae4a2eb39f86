package dev.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every key the chart and docker compose hand to the application must be one it knows, so a
 * renamed or misspelt key fails here instead of being ignored silently in production.
 */
class DeployConfigurationKeysTest {

    /** Read by the JVM, not by Spring. */
    private static final Set<String> JVM_ENV = Set.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

    private static final ConfigurationMetadata METADATA = ConfigurationMetadata.load();

    @Test
    void metadataHoldsSluiceAndSpringBootKeys() {
        assertThat(METADATA.declares("sluice.shutdown.drain-deadline")).as("target/classes metadata").isTrue();
        assertThat(METADATA.declares("sluice.ops.password")).isTrue();
        assertThat(METADATA.declares("spring.kafka.bootstrap-servers")).isTrue();
        assertThat(METADATA.declares("spring.datasource.url")).isTrue();
        assertThat(METADATA.declares("spring.lifecycle.timeout-per-shutdown-phase")).isTrue();
        assertThat(METADATA.declares("logging.structured.format.console")).isTrue();
    }

    @Test
    void matchesEnvironmentVariablesByRelaxedBindingAndRejectsUnknownKeys() {
        assertThat(METADATA.knows("SPRING_KAFKA_BOOTSTRAP_SERVERS")).isTrue();
        assertThat(METADATA.knows("SLUICE_SOURCE_DEAD_LETTER_TOPIC")).isTrue();
        assertThat(METADATA.knows("spring.kafka.properties.security.protocol")).as("map-typed property").isTrue();
        assertThat(METADATA.knows("SLUICE_FLOW_MAX_INFLIGHTS")).isFalse();
        assertThat(METADATA.knows("sluice.shutdown.drain-timeout")).isFalse();
        assertThat(METADATA.knows("sluice.flow.max-in-flight.extra")).as("below a non-map property").isFalse();
    }

    @Test
    void chartSetsOnlyKeysTheApplicationKnows() {
        assertKnown("chart defaults", chartKeys(SluiceChart.render(Map.of())));
    }

    @Test
    void chartWithEveryFeatureOnSetsOnlyKeysTheApplicationKnows() {
        RenderedChart chart = SluiceChart.render(SluiceChart.ALL_FEATURES_VALUES, SluiceChart.sets(
                "database.password", "x", "ops.password", "y", "logging.structuredFormat", "logstash"));

        assertKnown("chart with every feature", chartKeys(chart));
    }

    @Test
    void composeSetsOnlyKeysTheApplicationKnows() throws IOException {
        Map<String, Object> sluice = DockerComposeTest.service(DockerComposeTest.compose(), "sluice");
        List<String> keys = new ArrayList<>(RenderedChart.map(sluice, "environment").keySet());
        keys.addAll(envFileNames(Path.of(".env.example")));

        assertThat(keys).contains("SLUICE_OPS_PASSWORD", "SPRING_KAFKA_BOOTSTRAP_SERVERS");
        assertKnown("docker-compose.yml sluice service", keys);
    }

    private static List<String> chartKeys(RenderedChart chart) {
        List<String> keys = new ArrayList<>(chart.envNames().stream().filter(name -> !JVM_ENV.contains(name)).toList());
        keys.addAll(ConfigurationMetadata.flatten(chart.applicationYaml()));
        return keys;
    }

    static List<String> envFileNames(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#") && line.contains("="))
                .map(line -> line.substring(0, line.indexOf('=')).strip())
                .toList();
    }

    private static void assertKnown(String where, List<String> keys) {
        assertThat(keys).as(where).isNotEmpty();
        assertThat(keys).as("keys %s sets that the application does not know", where)
                .filteredOn(key -> !METADATA.knows(key))
                .isEmpty();
    }
}
