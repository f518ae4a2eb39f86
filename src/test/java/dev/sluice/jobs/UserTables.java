package dev.sluice.jobs;

import dev.sluice.testinfra.EmbeddedInfrastructure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The user's own tables, created in the application's database before a test
 * context starts: a declarative job reads its table from the catalog at start-up, and a user's
 * database holds its tables before Sluice first runs.
 */
final class UserTables {

    private UserTables() {
    }

    static void create(String... statements) {
        try (Connection connection = DriverManager.getConnection(EmbeddedInfrastructure.jdbcUrl(), EmbeddedInfrastructure.username(), "");
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the user's tables", e);
        }
    }
}
