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

    /** The mode of this JVM, from the system property (resolved once). */
    public static InfraMode current() {
        InfraMode mode = resolved;
        if (mode == null) {
            mode = parse(System.getProperty("sluice.test.infra", "auto"));
            resolved = mode;
        }
        return mode;
    }

    /** The mode a test context asks for with {@code sluice.test.infra}, else this JVM's. */
    public static InfraMode forContext(String requested) {
        return requested == null || requested.isBlank() ? current() : parse(requested);
    }

    private static InfraMode parse(String requested) {
        return switch (requested.trim().toLowerCase(Locale.ROOT)) {
            case "embedded" -> EMBEDDED;
            case "testcontainers" -> TESTCONTAINERS;
            case "external" -> EXTERNAL;
            case "auto", "" -> dockerAvailable() ? TESTCONTAINERS : EMBEDDED;
            default -> throw new IllegalArgumentException(
                    "sluice.test.infra must be auto, embedded, testcontainers or external, was " + requested);
        };
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
