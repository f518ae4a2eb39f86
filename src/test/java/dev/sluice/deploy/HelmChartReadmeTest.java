package dev.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * helm/sluice/README.md lists every value the chart has, each with its true default, and its
 * secured-cluster example renders and sets only keys the application knows.
 */
class HelmChartReadmeTest {

    private static final Path README = SluiceChart.DIR.resolve("README.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9.]+)` \\| (.*?) \\| .*\\|$");
    /** Defaults too long for one cell, described in words (values.yaml spells them out). */
    private static final Set<String> DESCRIBED_DEFAULTS = Set.of("config");

    @TempDir
    Path workDir;

    @Test
    void listsEveryValueOfTheChartWithItsDefaultAndNoOther() throws IOException {
        Map<String, Object> defaults = new LinkedHashMap<>();
        JsonNode schema = JsonMapper.builder().build().readTree(Files.readString(SluiceChart.DIR.resolve("values.schema.json")));
        Map<String, Object> values = new Yaml().load(Files.readString(SluiceChart.DIR.resolve("values.yaml")));
        leaves(schema, values, "", defaults);
        Map<String, String> rows = rows();

        assertThat(defaults).hasSizeGreaterThan(80).containsKeys("database.url", "networkPolicy.ingressFrom", "fullnameOverride");
        assertThat(rows.keySet()).as("README rows").containsExactlyElementsOf(defaults.keySet());
        defaults.forEach((value, expected) -> {
            if (!DESCRIBED_DEFAULTS.contains(value)) {
                String cell = rows.get(value);
                assertThat(cell).as("default of %s", value).startsWith("`").endsWith("`");
                Object documented = new Yaml().load(cell.substring(1, cell.length() - 1));
                assertThat(normalized(documented)).as("default of %s", value).isEqualTo(normalized(expected));
            }
        });
    }

    @Test
    void theSecuredClusterExampleRendersWithItsVolumesAndSetsOnlyKnownKeys() throws IOException {
        String readme = Files.readString(README);
        Matcher block = Pattern.compile("## A secured Kafka or PostgreSQL.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).isTrue();
        Path values = Files.writeString(workDir.resolve("secured.yaml"), block.group(1));

        RenderedChart chart = SluiceChart.render(values, SluiceChart.sets("database.password", "x", "ops.password", "y"));

        assertThat(RenderedChart.list(chart.container(), "volumeMounts")).hasSize(4);
        assertThat(RenderedChart.list(chart.container(), "envFrom")).hasSize(1);
        List<String> keys = ConfigurationMetadata.flatten(chart.applicationYaml());
        ConfigurationMetadata metadata = ConfigurationMetadata.load();
        assertThat(keys).contains("spring.kafka.ssl.trust-store-location").filteredOn(key -> !metadata.knows(key)).isEmpty();
    }

    /** Dotted paths of the schema's leaves: an object the chart closes (additionalProperties: false) is walked, any other value is one row. */
    private static void leaves(JsonNode schema, Object values, String prefix, Map<String, Object> into) {
        if (schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean()) {
            Map<?, ?> map = values instanceof Map<?, ?> m ? m : Map.of();
            for (var property : schema.path("properties").properties()) {
                leaves(property.getValue(), map.get(property.getKey()), prefix + property.getKey() + ".", into);
            }
        } else {
            into.put(prefix.substring(0, prefix.length() - 1), values);
        }
    }

    private static Map<String, String> rows() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(README)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                rows.put(row.group(1), row.group(2));
            }
        }
        return rows;
    }

    /** Scalars compared as text ({@code "1000"} in values.yaml is the README's {@code 1000}); maps and lists as they are. */
    private static Object normalized(Object value) {
        return switch (value) {
            case Map<?, ?> map -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(String.valueOf(k), normalized(v)));
                yield copy;
            }
            case List<?> list -> new ArrayList<>(list.stream().map(HelmChartReadmeTest::normalized).toList());
            case null -> "";
            default -> String.valueOf(value);
        };
    }
}
