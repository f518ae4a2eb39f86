package dev.sluice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.SluiceSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Where a benchmark runs: the in-process KRaft broker (the same for every contender) and a real
 * PostgreSQL with synchronous_commit=on — the system server at 127.0.0.1:5432 when it answers
 * (database {@code sluice_bench}, created here), else the embedded one.
 */
record BenchInfra(String bootstrapServers, String jdbcUrl, String username, String password, String description) {

    static final String SYSTEM_SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final String DATABASE = "sluice_bench";

    /** The embedded broker and PostgreSQL only (the smoke test: tests never touch the system server). */
    static BenchInfra embedded() {
        BenchInfra infra = new BenchInfra(EmbeddedInfrastructure.bootstrapServers(), EmbeddedInfrastructure.jdbcUrl(),
                EmbeddedInfrastructure.username(), "", "");
        return infra.describedAs("embedded PostgreSQL " + infra.serverVersion());
    }

    /** The system PostgreSQL when it answers, else the embedded one; always the embedded broker. */
    static BenchInfra preferSystemPostgres() {
        try (Connection admin = DriverManager.getConnection(SYSTEM_SERVER + "postgres", "postgres", "");
                Statement statement = admin.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rows.next()) {
                    statement.execute("CREATE DATABASE " + DATABASE);
                }
            }
            statement.execute("ALTER DATABASE " + DATABASE + " SET synchronous_commit = on");
        } catch (SQLException e) {
            System.out.println("[bench] system PostgreSQL not reachable (" + e.getMessage() + "); using the embedded one");
            return embedded();
        }
        BenchInfra infra = new BenchInfra(EmbeddedInfrastructure.bootstrapServers(), SYSTEM_SERVER + DATABASE, "postgres", "", "");
        return infra.describedAs("system PostgreSQL " + infra.serverVersion() + " at 127.0.0.1:5432/" + DATABASE);
    }

    private BenchInfra describedAs(String text) {
        return new BenchInfra(bootstrapServers, jdbcUrl, username, password,
                text + " (synchronous_commit=" + setting("synchronous_commit") + ", fsync=" + setting("fsync") + ")");
    }

    HikariDataSource dataSource(int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setAutoCommit(false);
        return new HikariDataSource(config);
    }

    void migrate() {
        SluiceSchema.migrate(jdbcUrl, username, password);
    }

    /** Empties the ledger between contenders. */
    void truncate() {
        execute("TRUNCATE sluice.payments, sluice.account_balances, sluice.payment_journal, sluice.sluice_progress");
    }

    private String serverVersion() {
        return setting("server_version");
    }

    private String setting(String name) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, username, password);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, username, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
