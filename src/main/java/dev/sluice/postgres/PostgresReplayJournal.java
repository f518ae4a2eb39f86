package dev.sluice.postgres;

import dev.sluice.kafka.ReplayJournal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The replay journal in PostgreSQL (table {@code sluice_replay_journal}, migration V3). Each call
 * is one short transaction of one statement, under a {@code statement_timeout}: two pods claiming
 * the same position wait for each other at most that long, and exactly one of them records it. A
 * claim inserts in position order, so two claims of overlapping positions cannot deadlock.
 *
 * <p>Thread-safe: no state but the pool; each call takes its own connection.
 */
public final class PostgresReplayJournal implements ReplayJournal {

    static final String CLAIM = """
            INSERT INTO sluice.sluice_replay_journal (source_topic, source_partition, source_offset, dead_letter, run, status)
            SELECT t.topic, t.p, t.o, t.letter, ?, 'sending'
            FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[]) AS t(topic, p, o, letter) ORDER BY t.topic, t.p, t.o
            ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING
            RETURNING source_topic, source_partition, source_offset
            """;

    static final String RECORDED = """
            SELECT j.source_topic, j.source_partition, j.source_offset
            FROM unnest(?::text[], ?::int4[], ?::int8[]) AS t(topic, p, o)
            JOIN sluice.sluice_replay_journal j ON j.source_topic = t.topic AND j.source_partition = t.p AND j.source_offset = t.o
            """;

    static final String SETTLE = """
            UPDATE sluice.sluice_replay_journal j SET status = t.status, error = t.error, settled_at = now()
            FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[], ?::text[]) AS t(topic, p, o, status, error)
            WHERE j.source_topic = t.topic AND j.source_partition = t.p AND j.source_offset = t.o AND j.run = ?
            """;

    private final DataSource dataSource;
    private final long statementTimeoutMillis;

    /** @param statementTimeout the longest one journal statement may take, lock waits included */
    public PostgresReplayJournal(DataSource dataSource, Duration statementTimeout) {
        this.dataSource = dataSource;
        this.statementTimeoutMillis = Math.max(1, statementTimeout.toMillis());
    }

    /** The first key of the replay lock ("slui"); the second is the dead-letter topic's hash. */
    static final int LOCK_CLASS = 0x736c7569;

    /**
     * A session advisory lock on a connection kept for the run: released explicitly before the
     * connection goes back to the pool (a pooled connection keeps its session's locks), and by the
     * server when the process dies, so a killed pod never leaves the lock behind.
     */
    @Override
    public Exclusive exclusive(String deadLetterTopic) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new Unavailable("the replay lock could not be taken: " + e.getMessage(), e);
        }
        try {
            connection.setAutoCommit(true);
            try (Statement timeout = connection.createStatement()) {
                timeout.execute("SET statement_timeout = " + statementTimeoutMillis);
            }
            boolean taken;
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
                lock.setInt(1, LOCK_CLASS);
                lock.setString(2, deadLetterTopic);
                try (ResultSet row = lock.executeQuery()) {
                    taken = row.next() && row.getBoolean(1);
                }
            }
            if (!taken) {
                connection.close();
                return null;
            }
            return () -> release(connection, deadLetterTopic);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw new Unavailable("the replay lock could not be taken: " + e.getMessage(), e);
        }
    }

    private static void release(Connection connection, String deadLetterTopic) {
        try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
            unlock.setInt(1, LOCK_CLASS);
            unlock.setString(2, deadLetterTopic);
            unlock.execute();
            try (Statement reset = connection.createStatement()) {
                reset.execute("RESET statement_timeout");
            }
            connection.close();
        } catch (SQLException e) {
            // the session may still hold the lock: end it rather than hand it back to the pool
            try {
                connection.abort(Runnable::run);
            } catch (SQLException ignored) {
                closeQuietly(connection);
            }
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // gone already
        }
    }

    @Override
    public Set<String> claim(String run, Collection<Position> positions) {
        if (positions.isEmpty()) {
            return Set.of();
        }
        return inTransaction("claim", connection -> {
            try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
                claim.setString(1, run);
                claim.setArray(2, connection.createArrayOf("text", positions.stream().map(Position::topic).toArray()));
                claim.setArray(3, connection.createArrayOf("int4", positions.stream().map(Position::partition).toArray()));
                claim.setArray(4, connection.createArrayOf("int8", positions.stream().map(Position::offset).toArray()));
                claim.setArray(5, connection.createArrayOf("text", positions.stream().map(Position::deadLetter).toArray()));
                return keys(claim);
            }
        });
    }

    @Override
    public Set<String> recorded(Collection<Position> positions) {
        if (positions.isEmpty()) {
            return Set.of();
        }
        return inTransaction("read", connection -> {
            try (PreparedStatement select = connection.prepareStatement(RECORDED)) {
                select.setArray(1, connection.createArrayOf("text", positions.stream().map(Position::topic).toArray()));
                select.setArray(2, connection.createArrayOf("int4", positions.stream().map(Position::partition).toArray()));
                select.setArray(3, connection.createArrayOf("int8", positions.stream().map(Position::offset).toArray()));
                return keys(select);
            }
        });
    }

    @Override
    public void settle(String run, Collection<Position> sent, Map<Position, String> unconfirmed) {
        if (sent.isEmpty() && unconfirmed.isEmpty()) {
            return;
        }
        List<Position> positions = new ArrayList<>(sent);
        List<String> statuses = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        sent.forEach(position -> {
            statuses.add("sent");
            errors.add(null);
        });
        unconfirmed.forEach((position, error) -> {
            positions.add(position);
            statuses.add("unconfirmed");
            errors.add(error);
        });
        inTransaction("settle", connection -> {
            try (PreparedStatement settle = connection.prepareStatement(SETTLE)) {
                settle.setArray(1, connection.createArrayOf("text", positions.stream().map(Position::topic).toArray()));
                settle.setArray(2, connection.createArrayOf("int4", positions.stream().map(Position::partition).toArray()));
                settle.setArray(3, connection.createArrayOf("int8", positions.stream().map(Position::offset).toArray()));
                settle.setArray(4, connection.createArrayOf("text", statuses.toArray()));
                settle.setArray(5, connection.createArrayOf("text", errors.toArray()));
                settle.setString(6, run);
                settle.executeUpdate();
            }
            return null;
        });
    }

    private static Set<String> keys(PreparedStatement statement) throws SQLException {
        Set<String> keys = new HashSet<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                keys.add(new Position(rows.getString(1), rows.getInt(2), rows.getLong(3), "").key());
            }
        }
        return keys;
    }

    private <T> T inTransaction(String what, LocalTransaction.Work<T> work) {
        try {
            // lock waits are bounded by the statement timeout; a lost node's session ends like the sink's
            return LocalTransaction.run(dataSource, new LocalTransaction.Bounds(statementTimeoutMillis, 0,
                    DatabaseProperties.defaults().idleInTransactionTimeout().toMillis()), work);
        } catch (SQLException e) {
            throw new Unavailable("replay journal " + what + " failed: " + e.getMessage(), e);
        }
    }
}
