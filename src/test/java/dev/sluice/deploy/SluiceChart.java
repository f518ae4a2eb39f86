package dev.sluice.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart in {@code helm/sluice}, linted and rendered in-process by helm-java (no helm binary,
 * no cluster). Paths are relative to the project directory, Maven's working directory for tests.
 */
final class SluiceChart {

    static final Path DIR = Path.of("helm", "sluice");
    static final Path ALL_FEATURES_VALUES = DIR.resolve("ci/all-features-values.yaml");
    /** The defaults plus the required values (the two passwords). */
    static final Path MINIMAL_VALUES = DIR.resolve("ci/minimal-values.yaml");
    static final String RELEASE = "sluice";

    private SluiceChart() {
    }

    /** {@code helm template -f ci/minimal-values.yaml} (defaults plus the required passwords) plus {@code --set} overrides. */
    static RenderedChart render(Map<String, ?> sets) {
        return render(MINIMAL_VALUES, sets);
    }

    /** {@code helm template -f valuesFile} plus {@code --set} overrides. */
    static RenderedChart render(Path valuesFile, Map<String, ?> sets) {
        var template = new Helm(DIR).template().withName(RELEASE).withNamespace("payments");
        if (valuesFile != null) {
            template.withValuesFile(valuesFile);
        }
        sets.forEach(template::set);
        return RenderedChart.parse(template.call());
    }

    /**
     * {@code helm lint --strict} of a copy of the chart whose values.yaml has {@code overlay}
     * merged into it: helm-java's lint takes no values, and the copy keeps the real chart untouched.
     */
    static LintResult lintStrict(Path workDir, Path overlay) {
        Path copy = copyChart(workDir.resolve(DIR.getFileName()));
        if (overlay != null) {
            Yaml yaml = new Yaml();
            Map<String, Object> values = load(yaml, copy.resolve("values.yaml"));
            deepMerge(values, load(yaml, overlay));
            write(copy.resolve("values.yaml"), yaml.dump(values));
        }
        return new Helm(copy).lint().strict().call();
    }

    private static Path copyChart(Path target) {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path source : files.toList()) {
                Path destination = target.resolve(DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> load(Yaml yaml, Path file) {
        try {
            Map<String, Object> loaded = yaml.load(Files.readString(file));
            return loaded == null ? new LinkedHashMap<>() : loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> target, Map<String, Object> overlay) {
        overlay.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested && target.get(key) instanceof Map<?, ?> existing) {
                deepMerge((Map<String, Object>) existing, (Map<String, Object>) nested);
            } else {
                target.put(key, value);
            }
        });
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Values as {@code --set} pairs, for readable call sites. */
    static Map<String, Object> sets(Object... keysAndValues) {
        Map<String, Object> sets = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            sets.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return sets;
    }

    static List<String> problems(LintResult result) {
        return result.getMessages().stream()
                .filter(message -> message.contains("[ERROR]") || message.contains("[WARNING]"))
                .toList();
    }
}
