package dev.sluice.demo;

import dev.sluice.SluiceApplication;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.InfraConfiguration;
import dev.sluice.testinfra.Traffic;
import org.springframework.boot.SpringApplication;

/**
 * README command 1: Sluice with an in-process KRaft broker, an embedded PostgreSQL and a generator
 * of demo payments, started by {@code ./mvnw test-compile spring-boot:test-run}. Only a JDK is
 * needed; everything runs in this one JVM and goes when it stops. The database is new on every
 * run, so a user's own tables (for a declarative job in an extra configuration file) come from the
 * SQL file named by the environment variable {@code DEMO_SQL}, run before Sluice starts: a job's
 * table must exist when its definition is checked at start-up.
 */
public final class SluiceDemoApplication {

    private SluiceDemoApplication() {
    }

    public static void main(String[] args) {
        System.setProperty("sluice.test.infra", "embedded");
        EmbeddedInfrastructure.manualShutdown();
        String servers = EmbeddedInfrastructure.bootstrapServers();
        try (Traffic traffic = new Traffic(servers)) {
            traffic.createTopics(8, "payments", "payments.DLT");
        }
        runUserSql(System.getenv("DEMO_SQL"));
        System.setProperty("SLUICE_OPS_PASSWORD", System.getProperty("SLUICE_OPS_PASSWORD", "demo"));
        SpringApplication.from(SluiceApplication::main)
                .with(InfraConfiguration.class, DemoLoad.class, DemoJobTopics.class)
                .run(args);
    }

    /** Runs the statements of {@code file} (if named) on the demo's database. */
    static void runUserSql(String file) {
        if (file == null || file.isBlank()) {
            return;
        }
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(EmbeddedInfrastructure.jdbcUrl());
                java.sql.Statement statement = connection.createStatement()) {
            statement.execute(java.nio.file.Files.readString(java.nio.file.Path.of(file)));
        } catch (java.io.IOException | java.sql.SQLException e) {
            throw new IllegalStateException("DEMO_SQL=" + file + ": " + e.getMessage(), e);
        }
    }
}
