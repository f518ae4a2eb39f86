package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testinfra.SluiceSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

/**
 * The upgrade of docs/OPERATIONS.md "Sluice's schema", run as printed: an install whose tables and
 * history are in {@code public} moves them into {@code sluice}, and Sluice's Flyway then finds its
 * history complete, applies nothing, and the stored rows are where the service reads them.
 */
class SchemaUpgradeIT {

    @Test
    void theDocumentedMoveKeepsTheStoredRowsAndLeavesFlywayNothingToApply() throws Exception {
        FreshDatabase database = FreshDatabase.create("upgrade");
        Flyway.configure().dataSource(database.url(), database.username(), database.password())
                .locations("classpath:db/migration").load().migrate();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO public.payments (payment_id, account, currency, amount_cents, occurred_at,"
                    + " source_partition, source_offset) VALUES ('pay-old', 'acc-old', 'EUR', 100, now(), 0, 7)");
            statement.execute(documentedUpgrade());
        }

        MigrateResult result = Flyway.configure().dataSource(database.url(), database.username(), database.password())
                .locations("classpath:db/migration").schemas(SluiceSchema.NAME).defaultSchema(SluiceSchema.NAME)
                .load().migrate();

        assertThat(result.migrationsExecuted).as("migrations applied after the move").isZero();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT (SELECT count(*) FROM sluice.payments WHERE payment_id = 'pay-old'),"
                        + " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).as("the stored payment, in schema sluice").isOne();
            assertThat(rows.getLong(2)).as("tables left in public").isZero();
        }
    }

    /** The first sql block after "**Upgrading an install" in docs/OPERATIONS.md. */
    private static String documentedUpgrade() throws Exception {
        String text = Files.readString(Path.of("docs/OPERATIONS.md"));
        int upgrade = text.indexOf("**Upgrading an install whose tables are in `public`**");
        assertThat(upgrade).as("the upgrade paragraph").isPositive();
        int start = text.indexOf("```sql\n", upgrade) + "```sql\n".length();
        return text.substring(start, text.indexOf("\n```", start));
    }
}
