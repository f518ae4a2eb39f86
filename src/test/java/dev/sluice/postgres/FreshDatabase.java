package dev.sluice.postgres;

import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.InfraMode;
import dev.sluice.testinfra.SharedContainers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A new, empty database on the tests' PostgreSQL server (see {@link InfraMode}), for a test that
 * needs a database in a state of its own without disturbing the shared one.
 */
record FreshDatabase(String url, String username, String password) {

    static FreshDatabase create(String prefix) throws SQLException {
        FreshDatabase server = switch (InfraMode.current()) {
            case EMBEDDED -> new FreshDatabase(EmbeddedInfrastructure.jdbcUrl(), EmbeddedInfrastructure.username(), "");
            case TESTCONTAINERS -> new FreshDatabase(SharedContainers.postgres().getJdbcUrl(),
                    SharedContainers.postgres().getUsername(), SharedContainers.postgres().getPassword());
            case EXTERNAL -> new FreshDatabase(System.getProperty("spring.datasource.url"),
                    System.getProperty("spring.datasource.username"), System.getProperty("spring.datasource.password", ""));
        };
        String database = prefix + "_" + Long.toString(System.nanoTime(), 36);
        try (Connection admin = server.connect(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        return new FreshDatabase(server.url.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1"),
                server.username, server.password);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }
}
