package dev.sluice.process;

import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.InfraMode;
import dev.sluice.testinfra.SharedContainers;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The Kafka and PostgreSQL addresses a service process is given, by {@link InfraMode}: the embedded
 * broker and server (reachable from a child process on localhost), the shared containers (their
 * mapped ports), or the external ones named by {@code spring.kafka.bootstrap-servers} and
 * {@code spring.datasource.*} system properties.
 */
record ProcessInfrastructure(String bootstrapServers, String jdbcUrl, String username, String password) {

    static ProcessInfrastructure current() {
        return switch (InfraMode.current()) {
            case EMBEDDED -> new ProcessInfrastructure(EmbeddedInfrastructure.bootstrapServers(),
                    EmbeddedInfrastructure.jdbcUrl(), EmbeddedInfrastructure.username(), "");
            case TESTCONTAINERS -> new ProcessInfrastructure(SharedContainers.kafka().getBootstrapServers(),
                    SharedContainers.postgres().getJdbcUrl(), SharedContainers.postgres().getUsername(),
                    SharedContainers.postgres().getPassword());
            case EXTERNAL -> new ProcessInfrastructure(required("spring.kafka.bootstrap-servers"),
                    required("spring.datasource.url"), required("spring.datasource.username"),
                    System.getProperty("spring.datasource.password", ""));
        };
    }

    /** A plain DataSource for the test's own queries (a new connection per use: the test polls slowly). */
    DataSource dataSource() {
        return new DriverManagerDataSource(jdbcUrl, username, password);
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("sluice.test.infra=external needs -D" + property);
        }
        return value;
    }
}
