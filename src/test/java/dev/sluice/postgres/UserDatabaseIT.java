package dev.sluice.postgres;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Sluice pointed at a user's database: one that already holds the user's tables in {@code public}
 * (among them a {@code payments} table of the user's own) and the user's own Flyway history
 * {@code public.flyway_schema_history}. The service migrates into its schema {@code sluice}, runs
 * the ledger end to end, and leaves every object and row of the user's schema as it found it.
 *
 * <p>{@link UserTablesWithoutFlywayIT} runs the same on a database whose tables the user made
 * without Flyway. The database is a fresh one on the test server, created and migrated by the user's Flyway
 * before the application context (and so Sluice's Flyway) starts.
 */
@Import(UserDatabaseIT.UserDatabase.class)
class UserDatabaseIT extends IntegrationTest {

    /** {@code false}: the user created the tables without Flyway (no history table in {@code public}). */
    static final String USER_FLYWAY = "test.user-database.flyway";

    /** What the user's schema looked like before Sluice first started on the database. */
    private static volatile Map<String, String> userSchemaBefore;

    @TestConfiguration(proxyBeanMethods = false)
    static class UserDatabase {

        @Bean
        @Primary
        JdbcConnectionDetails userDatabaseConnection(Environment environment) throws SQLException {
            FreshDatabase database = FreshDatabase.create("user_app");
            String url = database.url();
            if (environment.getProperty(USER_FLYWAY, Boolean.class, true)) {
                Flyway.configure().dataSource(url, database.username(), database.password())
                        .locations("classpath:userdb").load().migrate();
            } else {
                try (Connection connection = database.connect();
                        Statement statement = connection.createStatement()) {
                    for (String script : List.of("userdb/V1__shop.sql", "userdb/V2__payments.sql")) {
                        statement.execute(new ClassPathResource(script).getContentAsString(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            SingleConnectionDataSource user = new SingleConnectionDataSource(url, database.username(), database.password(), true);
            try {
                userSchemaBefore = userSchema(new JdbcTemplate(user));
            } finally {
                user.destroy();
            }
            return new JdbcConnectionDetails() {
                @Override
                public String getUsername() {
                    return database.username();
                }

                @Override
                public String getPassword() {
                    return database.password();
                }

                @Override
                public String getJdbcUrl() {
                    return url;
                }
            };
        }
    }

    @Test
    void migratesIntoItsOwnSchemaRunsTheLedgerAndLeavesTheUsersTablesAndHistoryUntouched() {
        String prefix = prefix("userdb");
        traffic.createTopics(4, topicName(), deadLetterTopic());
        PaymentGenerator generator = new PaymentGenerator(PaymentGenerator.Spec.of(prefix, 50)
                .withDuplicates(0.05).withInvalid(0.02));
        ExpectedLedger expected = traffic.produce(topicName(), generator, 2_000, new ExpectedLedger());

        pipeline.resume();
        awaitNoLag(Duration.ofMinutes(2));

        assertInvariant(jdbc, prefix, expected);
        assertThat(jdbc.queryForList("SELECT version FROM sluice.flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank",
                String.class)).as("Sluice's own history").containsExactly("1", "2", "3", "4");
        assertThat(jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = 'sluice'"
                + " ORDER BY table_name", String.class)).containsExactly("account_balances", "flyway_schema_history",
                "payment_journal", "payments", "sluice_owner", "sluice_progress", "sluice_replay_journal");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sluice.payment_journal WHERE source_topic = ?", Long.class,
                topicName())).as("journal rows in Sluice's schema").isPositive();

        assertThat(userSchemaBefore.get("objects")).as("the user's tables are there first").contains("orders:r", "payments:r");
        assertThat(userSchema(jdbc)).as("the user's schema, objects, rows and Flyway history").isEqualTo(userSchemaBefore);
    }

    /** Every object, column, row and history entry of the user's schema {@code public}, as text. */
    private static Map<String, String> userSchema(JdbcTemplate jdbc) {
        return Map.of(
                "schemas", text(jdbc, "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace"
                        + " WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'sluice')"),
                "objects", text(jdbc, "SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname) FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"),
                "columns", text(jdbc, "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ','"
                        + " ORDER BY table_name, ordinal_position) FROM information_schema.columns WHERE table_schema = 'public'"),
                "orders", rows(jdbc, "public.orders"),
                "payments", rows(jdbc, "public.payments"),
                "history", history(jdbc));
    }

    private static String history(JdbcTemplate jdbc) {
        if (text(jdbc, "SELECT to_regclass('public.flyway_schema_history')::text").equals("null")) {
            return "none";
        }
        return text(jdbc, "SELECT string_agg(concat_ws('|', installed_rank, version, description, checksum, success),"
                + " ';' ORDER BY installed_rank) FROM public.flyway_schema_history");
    }

    private static String rows(JdbcTemplate jdbc, String table) {
        return text(jdbc, "SELECT string_agg(t::text, ';' ORDER BY t::text) FROM " + table + " t");
    }

    private static String text(JdbcTemplate jdbc, String sql) {
        List<String> values = jdbc.queryForList(sql, String.class);
        return String.valueOf(values.getFirst());
    }
}
