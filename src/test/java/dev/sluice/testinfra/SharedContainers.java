package dev.sluice.testinfra;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Containers started once per JVM when the tests run on Testcontainers. */
public final class SharedContainers {

    private static KafkaContainer kafka;
    private static PostgreSQLContainer postgres;

    private SharedContainers() {
    }

    public static synchronized KafkaContainer kafka() {
        if (kafka == null) {
            kafka = new KafkaContainer("apache/kafka:4.1.1");
            kafka.start();
        }
        return kafka;
    }

    public static synchronized PostgreSQLContainer postgres() {
        if (postgres == null) {
            postgres = new PostgreSQLContainer("postgres:17-alpine");
            postgres.start();
        }
        return postgres;
    }
}
