package dev.sluice.postgres;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link UserDatabaseIT} on a database whose tables the user created without Flyway: no history
 * table anywhere, a non-empty {@code public}, which Flyway refuses to migrate in place.
 */
@TestPropertySource(properties = UserDatabaseIT.USER_FLYWAY + "=false")
class UserTablesWithoutFlywayIT extends UserDatabaseIT {
}
