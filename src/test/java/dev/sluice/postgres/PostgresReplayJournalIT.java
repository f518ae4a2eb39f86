package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.kafka.ReplayJournal;
import dev.sluice.kafka.ReplayJournal.Position;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.SluiceSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The replay journal against a real PostgreSQL: a source position is recorded by exactly one
 * claim, whatever the run or pod (two pods claiming at once included), a dry run only reads, a
 * settled send keeps its outcome, and a claim blocked by another pod's open claim waits no longer
 * than the statement timeout.
 */
class PostgresReplayJournalIT {

    private static final DataSource DATA_SOURCE = EmbeddedInfrastructure.postgres().getPostgresDatabase();
    private final JdbcTemplate jdbc = new JdbcTemplate(DATA_SOURCE);
    private final String topic = "rj-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final PostgresReplayJournal journal = new PostgresReplayJournal(DATA_SOURCE, Duration.ofSeconds(2));

    @BeforeAll
    static void migrate() {
        SluiceSchema.migrate(DATA_SOURCE);
    }

    @Test
    void aSourcePositionIsRecordedByOneClaimOnlyThroughAnyOfItsDeadLetters() {
        List<Position> letters = positions(0, 5, "dlt-0@");
        assertThat(journal.recorded(letters)).as("a dry run before any claim").isEmpty();
        assertThat(journal.claim("run-1", letters)).containsExactlyInAnyOrderElementsOf(keys(letters));

        List<Position> again = positions(3, 8, "dlt-1@");
        assertThat(journal.recorded(again)).as("a dry run reads, writes nothing").containsExactlyInAnyOrderElementsOf(keys(positions(3, 5, "")));
        assertThat(journal.claim("run-2", again)).as("positions 3 and 4 through other dead letters: not again")
                .containsExactlyInAnyOrderElementsOf(keys(positions(5, 8, "")));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sluice.sluice_replay_journal WHERE source_topic = ?", Long.class, topic))
                .isEqualTo(8);
        assertThat(jdbc.queryForList("SELECT DISTINCT run FROM sluice.sluice_replay_journal WHERE source_topic = ? AND source_offset < 5",
                String.class, topic)).containsExactly("run-1");
    }

    @Test
    void twoPodsClaimingTheSamePositionsAtOnceRecordEachOnce() {
        List<Position> letters = positions(0, 200, "dlt-0@");
        CompletableFuture<Set<String>> podA = CompletableFuture.supplyAsync(() -> journal.claim("pod-a", letters));
        CompletableFuture<Set<String>> podB = CompletableFuture.supplyAsync(() -> journal.claim("pod-b", letters.reversed()));
        Set<String> a = podA.join();
        Set<String> b = podB.join();
        Set<String> both = new java.util.HashSet<>(a);
        both.retainAll(b);
        assertThat(both).as("recorded by both pods").isEmpty();
        assertThat(a.size() + b.size()).as("every position recorded by one of them, no deadlock").isEqualTo(200);
    }

    @Test
    void settledSendsKeepTheirOutcomeAndAFailedOneIsNeverClaimedAgain() {
        List<Position> letters = positions(0, 3, "dlt-0@");
        journal.claim("run-1", letters);
        journal.settle("run-1", List.of(letters.get(0)), Map.of(letters.get(1), "TimeoutException: expired"));
        Map<Long, String> statuses = jdbc.query("SELECT source_offset, status FROM sluice.sluice_replay_journal WHERE source_topic = ?",
                rs -> {
                    Map<Long, String> result = new java.util.HashMap<>();
                    while (rs.next()) {
                        result.put(rs.getLong(1), rs.getString(2));
                    }
                    return result;
                }, topic);
        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(0L, "sent", 1L, "unconfirmed", 2L, "sending"));
        assertThat(jdbc.queryForObject("SELECT error FROM sluice.sluice_replay_journal WHERE source_topic = ? AND source_offset = 1",
                String.class, topic)).contains("TimeoutException");
        assertThat(journal.claim("run-2", letters)).as("not even the failed or unsettled ones: the broker may hold them").isEmpty();
    }

    @Test
    void aClaimBlockedByAnotherPodsOpenClaimWaitsAtMostTheStatementTimeout() throws Exception {
        Position letter = positions(0, 1, "dlt-0@").getFirst();
        try (Connection other = DATA_SOURCE.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement insert = other.prepareStatement("INSERT INTO sluice.sluice_replay_journal"
                    + " (source_topic, source_partition, source_offset, dead_letter, run, status) VALUES (?, 0, 0, 'x', 'pod-a', 'sending')")) {
                insert.setString(1, topic);
                insert.executeUpdate();
            }
            long started = System.nanoTime();
            assertThatThrownBy(() -> journal.claim("pod-b", List.of(letter))).isInstanceOf(ReplayJournal.Unavailable.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(10));

            CompletableFuture<Set<String>> waiting = CompletableFuture.supplyAsync(() -> journal.claim("pod-b", List.of(letter)));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO sluice.sluice_replay_journal%'",
                    Long.class) > 0);
            other.commit();
            assertThat(waiting.join()).as("pod A's claim committed: pod B records nothing").isEmpty();
        }
    }

    private List<Position> positions(int from, int to, String deadLetterPrefix) {
        return IntStream.range(from, to).mapToObj(o -> new Position(topic, 0, o, deadLetterPrefix + o)).toList();
    }

    private static Set<String> keys(List<Position> positions) {
        return positions.stream().map(Position::key).collect(Collectors.toSet());
    }
}
