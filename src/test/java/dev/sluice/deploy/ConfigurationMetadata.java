package dev.sluice.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every configuration key the application knows: Sluice's own (generated into
 * target/classes by the configuration processor) and Spring Boot's (each module's
 * META-INF/spring-configuration-metadata.json on the classpath).
 *
 * <p>Keys compare the way Boot's relaxed binding does for environment variables: lower case,
 * without '.', '-' and '_' ({@code SPRING_KAFKA_BOOTSTRAP_SERVERS} = {@code spring.kafka.bootstrap-servers}).
 * Keys below a map-typed property ({@code spring.kafka.properties.*}, {@code logging.level.*}) are
 * known by prefix.
 */
final class ConfigurationMetadata {

    static final Path SLUICE_METADATA = Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");
    private static final String RESOURCE = "META-INF/spring-configuration-metadata.json";

    private final Set<String> names;
    private final Set<String> normalizedNames;
    private final List<String> normalizedMapPrefixes;

    private ConfigurationMetadata(Set<String> names, Set<String> normalizedNames, List<String> normalizedMapPrefixes) {
        this.names = names;
        this.normalizedNames = normalizedNames;
        this.normalizedMapPrefixes = normalizedMapPrefixes;
    }

    static ConfigurationMetadata load() {
        Set<String> names = new HashSet<>();
        Set<String> normalized = new HashSet<>();
        List<String> mapPrefixes = new ArrayList<>();
        JsonMapper json = JsonMapper.builder().build();
        if (!Files.exists(SLUICE_METADATA)) {
            throw new IllegalStateException(SLUICE_METADATA + " is missing: compile with the configuration processor first");
        }
        try {
            for (URL url : Collections.list(ConfigurationMetadata.class.getClassLoader().getResources(RESOURCE))) {
                try (InputStream in = url.openStream()) {
                    for (JsonNode property : json.readTree(in).path("properties")) {
                        String name = property.path("name").asString();
                        names.add(name);
                        normalized.add(normalize(name));
                        if (property.path("type").asString("").startsWith("java.util.Map<")) {
                            mapPrefixes.add(normalize(name));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConfigurationMetadata(Set.copyOf(names), Set.copyOf(normalized), List.copyOf(mapPrefixes));
    }

    /** A property key ({@code sluice.flow.max-in-flight}) or environment variable name ({@code SLUICE_FLOW_MAX_IN_FLIGHT}). */
    boolean knows(String keyOrEnvName) {
        String key = normalize(keyOrEnvName);
        return normalizedNames.contains(key)
                || normalizedMapPrefixes.stream().anyMatch(prefix -> key.startsWith(prefix) && key.length() > prefix.length());
    }

    boolean declares(String exactName) {
        return names.contains(exactName);
    }

    static String normalize(String keyOrEnvName) {
        return keyOrEnvName.toLowerCase(java.util.Locale.ROOT).replaceAll("[._-]", "");
    }

    /** Dotted keys of every leaf of a nested YAML map ({@code sluice: {flow: {max-in-flight: 1}}} → sluice.flow.max-in-flight). */
    static List<String> flatten(Map<String, Object> yaml) {
        List<String> keys = new ArrayList<>();
        flatten("", yaml, keys);
        return keys;
    }

    private static void flatten(String prefix, Map<?, ?> yaml, List<String> keys) {
        yaml.forEach((key, value) -> {
            String dotted = prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
            if (value instanceof Map<?, ?> nested && !nested.isEmpty()) {
                flatten(dotted, nested, keys);
            } else {
                keys.add(dotted);
            }
        });
    }
}
