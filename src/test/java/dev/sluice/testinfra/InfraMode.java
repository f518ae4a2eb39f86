package dev.sluice.testinfra;

import java.util.Locale;
import org.testcontainers.DockerClientFactory;

/**
 * Which Kafka and PostgreSQL the integration tests talk to, from the system property
 * {@code sluice.test.infra}: {@code embedded} (in-process KRaft broker and zonky PostgreSQL),
 * {@code testcontainers} ({@code apache/kafka} and {@code postgres} containers), {@code external}
 * (addresses from {@code spring.kafka.bootstrap-servers} and {@code spring.datasource.*}), or
 * {@code auto} (the default): Testcontainers when a Docker engine answers, else embedded.
 */
public enum InfraMode {
    EMBEDDED, TESTCONTAINERS, EXTERNAL;

    private static volatile InfraMode resolved;

    public static InfraMode current() {
        InfraMode mode = resolved;
        if (mode == null) {
            String requested = System.getProperty("sluice.test.infra", "auto").trim().toLowerCase(Locale.ROOT);
            mode = switch (requested) {
                case "embedded" -> EMBEDDED;
                case "testcontainers" -> TESTCONTAINERS;
                case "external" -> EXTERNAL;
                case "auto", "" -> dockerAvailable() ? TESTCONTAINERS : EMBEDDED;
                default -> throw new IllegalArgumentException(
                        "sluice.test.infra must be auto, embedded, testcontainers or external, was " + requested);
            };
            resolved = mode;
        }
        return mode;
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
