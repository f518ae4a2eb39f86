package dev.sluice.testinfra;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Sluice's migrations as the service applies them (application.yml {@code spring.flyway}): into
 * the schema {@code sluice}, with the history there, for tests and benchmarks that migrate a
 * database without an application context.
 */
public final class SluiceSchema {

    /** The schema that holds Sluice's tables and its Flyway history. */
    public static final String NAME = "sluice";

    private SluiceSchema() {
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                .schemas(NAME).defaultSchema(NAME).load().migrate();
    }

    public static void migrate(String jdbcUrl, String username, String password) {
        Flyway.configure().dataSource(jdbcUrl, username, password).locations("classpath:db/migration")
                .schemas(NAME).defaultSchema(NAME).load().migrate();
    }
}
