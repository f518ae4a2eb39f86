package dev.sluice.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The management settings of {@code src/main/resources/application.yml}, so deployment tests follow
 * the application instead of repeating its numbers.
 */
record ApplicationSettings(int managementPort, String actuatorBasePath, boolean probesEnabled, String drainDeadline) {

    static final Path FILE = Path.of("src", "main", "resources", "application.yml");

    static ApplicationSettings load() {
        Map<String, Object> yaml;
        try {
            yaml = new Yaml().load(Files.readString(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object serverPort = find(yaml, "server.port");
        Object managementPort = find(yaml, "management.server.port");
        Object basePath = find(yaml, "management.endpoints.web.base-path");
        Object probes = find(yaml, "management.endpoint.health.probes.enabled");
        Object drain = find(yaml, "sluice.shutdown.drain-deadline");
        return new ApplicationSettings(
                Integer.parseInt(String.valueOf(managementPort != null ? managementPort : serverPort != null ? serverPort : 8080)),
                basePath != null ? basePath.toString() : "/actuator",
                Boolean.TRUE.equals(probes),
                drain != null ? drain.toString() : "30s");
    }

    String healthGroupPath(String group) {
        return actuatorBasePath + "/health/" + group;
    }

    /** The value at a dotted key, written nested or flat, or null. */
    private static Object find(Map<String, Object> yaml, String dottedKey) {
        Object current = yaml;
        String remaining = dottedKey;
        outer:
        while (current instanceof Map<?, ?> map) {
            if (map.containsKey(remaining)) {
                return map.get(remaining);
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                if (remaining.startsWith(key + ".")) {
                    current = entry.getValue();
                    remaining = remaining.substring(key.length() + 1);
                    continue outer;
                }
            }
            return null;
        }
        return null;
    }
}
