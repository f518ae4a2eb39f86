package dev.sluice.deploy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.StreamSupport;
import org.yaml.snakeyaml.Yaml;

/** The manifests {@code helm template} produced, parsed into plain maps and lists. */
record RenderedChart(String text, List<Map<String, Object>> manifests) {

    @SuppressWarnings("unchecked")
    static RenderedChart parse(String text) {
        List<Map<String, Object>> manifests = StreamSupport.stream(new Yaml().loadAll(text).spliterator(), false)
                .filter(Objects::nonNull)
                .map(document -> (Map<String, Object>) document)
                .toList();
        return new RenderedChart(text, manifests);
    }

    List<Map<String, Object>> ofKind(String kind) {
        return manifests.stream().filter(manifest -> kind.equals(manifest.get("kind"))).toList();
    }

    Map<String, Object> single(String kind) {
        List<Map<String, Object>> found = ofKind(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size());
        }
        return found.getFirst();
    }

    Map<String, Object> podSpec() {
        return map(map(single("Deployment"), "spec", "template"), "spec");
    }

    /** The sluice container of the Deployment. */
    Map<String, Object> container() {
        return list(podSpec(), "containers").stream()
                .map(RenderedChart::asMap)
                .filter(container -> "sluice".equals(container.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sluice container"));
    }

    /** The container's env entry of that name, e.g. {@code {name: X, valueFrom: {secretKeyRef: ...}}}. */
    Map<String, Object> env(String name) {
        return list(container(), "env").stream()
                .map(RenderedChart::asMap)
                .filter(entry -> name.equals(entry.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    /** The preStop hook's exec command, e.g. {@code [sh, -c, curl ...]}. */
    List<String> preStopCommand() {
        return list(map(container(), "lifecycle", "preStop", "exec"), "command").stream().map(Object::toString).toList();
    }

    /**
     * The environment the kubelet gives the container: literal values as they are, secretKeyRef
     * values decoded from the rendered Secret (the chart's own; an existingSecret is not rendered).
     */
    Map<String, String> podEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object item : list(container(), "env")) {
            Map<String, Object> entry = asMap(item);
            String name = (String) entry.get("name");
            if (entry.containsKey("value")) {
                env.put(name, String.valueOf(entry.get("value")));
            } else {
                Map<String, Object> ref = map(entry, "valueFrom", "secretKeyRef");
                Map<String, Object> secret = ofKind("Secret").stream()
                        .filter(manifest -> ref.get("name").equals(map(manifest, "metadata").get("name")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no rendered Secret " + ref.get("name")));
                String encoded = (String) map(secret, "data").get(ref.get("key"));
                env.put(name, new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
            }
        }
        return env;
    }

    List<String> envNames() {
        return list(container(), "env").stream().map(entry -> (String) asMap(entry).get("name")).toList();
    }

    /** The application.yml the chart's ConfigMap mounts at /config. */
    Map<String, Object> applicationYaml() {
        Map<String, Object> configMap = ofKind("ConfigMap").stream()
                .filter(manifest -> map(manifest, "data").containsKey("application.yml"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap with application.yml"));
        return new Yaml().load((String) map(configMap, "data").get("application.yml"));
    }

    /** Follows nested map keys. */
    static Map<String, Object> map(Map<String, Object> root, String... path) {
        Map<String, Object> current = root;
        for (String key : path) {
            Object next = current.get(key);
            if (next == null) {
                throw new AssertionError("no '" + key + "' in " + current.keySet());
            }
            current = asMap(next);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> root, String key) {
        Object value = root.get(key);
        if (!(value instanceof List<?>)) {
            throw new AssertionError("no list '" + key + "' in " + root.keySet());
        }
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }
}
