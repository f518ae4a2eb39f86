package dev.sluice.testinfra;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Declares the tests' own key {@code sluice.test.infra} (read by {@link InfraMode}, set by the
 * build and the demo as a system property), so the check that refuses unknown {@code sluice.*}
 * keys knows it in test contexts; the application's scan of {@code dev.sluice} finds it there, and
 * only there, as it lives on the test class path.
 *
 * @param infra {@code auto}, {@code embedded}, {@code testcontainers} or {@code external} (see {@link InfraMode})
 */
@ConfigurationProperties("sluice.test")
public record TestInfraProperties(@DefaultValue("auto") String infra) {
}
