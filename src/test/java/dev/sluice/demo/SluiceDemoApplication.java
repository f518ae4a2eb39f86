package dev.sluice.demo;

import dev.sluice.SluiceApplication;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.InfraConfiguration;
import dev.sluice.testinfra.Traffic;
import org.springframework.boot.SpringApplication;

/**
 * README command 1: Sluice with an in-process KRaft broker, an embedded PostgreSQL and a generator
 * of demo payments, started by {@code ./mvnw test-compile spring-boot:test-run}. Only a JDK is
 * needed; everything runs in this one JVM and goes when it stops.
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
        System.setProperty("SLUICE_OPS_PASSWORD", System.getProperty("SLUICE_OPS_PASSWORD", "demo"));
        SpringApplication.from(SluiceApplication::main)
                .with(InfraConfiguration.class, DemoLoad.class, DemoJobTopics.class)
                .run(args);
    }
}
