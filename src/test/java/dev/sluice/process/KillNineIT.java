package dev.sluice.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.LedgerAssertions;
import dev.sluice.testinfra.LedgerAssertions.Journal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The packaged service, alone in its group, is killed with SIGKILL at random points while it works
 * through a backlog that is still being produced, and restarted each time. A crash may redeliver
 * only what was in flight, and redelivery must have no effect: in exactly-once mode (the default)
 * not even on the journal, which is not idempotent; in at-least-once mode the journal shows the
 * redelivered records twice (the ledger stays exact: it is idempotent by itself).
 *
 * <p>Default: 200,000 records, 5 kills (at-least-once: 60,000 records, 2 kills). With
 * {@code -Dsluice.soak=true}: 1,000,000 records, 10 kills.
 */
class KillNineIT extends ProcessTest {

    static final boolean SOAK = Boolean.getBoolean("sluice.soak");
    static final long RECORDS = SOAK ? 1_000_000 : 200_000;
    static final int KILLS = SOAK ? 10 : 5;
    static final int MAX_IN_FLIGHT = 5_000;

    /** One kill as measured right after the process was gone. */
    record Kill(int number, long appliedAtKill, long committedRecords, long redelivered, long doubleApplied) {
    }

    @Test
    void killedWithSigkillAtRandomPointsAndRestartedEndsExactWithRedeliveryWithinTheInFlightBound() {
        String prefix = "k9" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        Outcome outcome = killAndRestart(prefix, List.of(), RECORDS, KILLS, MAX_IN_FLIGHT);
        LedgerVerdict.assertExact(fleet, outcome.probe(), prefix, outcome.expected());
        assertThat(LedgerAssertions.journal(outcome.probe().jdbc(), fleet.topic()).repeated())
                .as("journal rows of records applied twice").isZero();
    }

    @Test
    void inAtLeastOnceModeTheRedeliveredRecordsReachTheJournalTwice() {
        String prefix = "k9a" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // commits every 2 s, and early only once 5,000 records (an eighth of the fixed window) wait
        // for one: a kill then surely finds records durable but not committed, which are redelivered
        Outcome outcome = killAndRestart(prefix, List.of("--sluice.delivery.guarantee=at-least-once",
                "--sluice.source.commit-interval=2s", "--sluice.flow.window=fixed"), 60_000, 2, 8 * 5_000);
        LedgerVerdict.assertLedgerExact(fleet, outcome.probe(), prefix, outcome.expected());
        Journal journal = LedgerAssertions.journal(outcome.probe().jdbc(), fleet.topic());
        LedgerVerdict.publish(prefix + "-kill9-at-least-once", String.format(Locale.ROOT,
                "at-least-once: journal rows %,d for %,d source records: %,d applied twice%n", journal.rows(), journal.positions(),
                journal.repeated()));
        assertThat(journal.positions()).as("valid records with a journal row")
                .isEqualTo(outcome.expected().produced() - outcome.expected().deadLetterTotal());
        assertThat(journal.repeated()).as("journal rows of records redelivered after a SIGKILL").isPositive();
    }

    record Outcome(LedgerProbe probe, ExpectedLedger expected) {
    }

    /** Kills and restarts the service {@code kills} times under {@code records}; returns once the group has no lag. */
    private Outcome killAndRestart(String prefix, List<String> args, long records, int killCount, int maxInFlight) {
        long seed = System.nanoTime();
        List<String> fleetArgs = new ArrayList<>(args);
        fleetArgs.add("--sluice.flow.max-in-flight=" + maxInFlight);
        LedgerProbe probe = fleetWithTopics(prefix, GroupProtocol.CLASSIC, fleetArgs, 8);
        String servers = fleet.infra().bootstrapServers();
        load = Load.start(servers, fleet.topic(), prefix, records, seed);

        // kill points: random amounts of progress after each restart; their sum stays below the
        // distinct valid payments (≥ 90% of the records), so every kill happens mid-stream
        SplittableRandom random = new SplittableRandom(seed);
        long segment = (long) (records * 0.9) / (killCount + 1);
        List<Kill> kills = new ArrayList<>();
        long applied = 0;
        for (int i = 1; i <= killCount; i++) {
            java.sql.Timestamp runStarted = probe.databaseNow();
            ServiceProcess instance = fleet.start("run-" + i);
            fleet.awaitAssigned(Duration.ofMinutes(2), instance);
            long killAt = applied + segment / 2 + random.nextLong(segment / 2);
            Awaitility.await().atMost(Duration.ofMinutes(SOAK ? 10 : 3)).pollInterval(Duration.ofMillis(50)).until(() -> {
                instance.requireAlive();
                return probe.applied() >= killAt;
            });
            instance.kill9();
            applied = probe.applied();
            Map<Integer, Long> committed = ConsumerLag.committed(servers, fleet.group());
            kills.add(new Kill(i, applied, committed.values().stream().mapToLong(Long::longValue).sum(),
                    LedgerProbe.redelivered(probe.highestWrittenSince(runStarted), committed), probe.doubleApplied()));
        }
        ServiceProcess last = fleet.start("run-" + (killCount + 1));
        ExpectedLedger expected = load.await(Duration.ofMinutes(5));
        LedgerVerdict.awaitNoLag(fleet, Duration.ofMinutes(SOAK ? 15 : 3), last);
        long repeatedDeadLetters = LedgerVerdict.assertLedgerExact(fleet, probe, prefix, expected);

        LedgerVerdict.publish(prefix + "-kill9", table(expected, kills, repeatedDeadLetters, seed, maxInFlight));
        assertThat(kills).as("SIGKILLs").hasSize(killCount)
                .allSatisfy(kill -> {
                    assertThat(kill.doubleApplied()).as("effects applied twice after kill %d", kill.number()).isZero();
                    assertThat(kill.redelivered()).as("redelivered after kill %d", kill.number()).isBetween(0L, (long) maxInFlight);
                });
        return new Outcome(probe, expected);
    }

    private static String table(ExpectedLedger expected, List<Kill> kills, long repeatedDeadLetters, long seed, int maxInFlight) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "kill -9 run (seed %d): %,d records produced, %,d distinct valid payments, %,d invalid, %d kills, in-flight bound %,d%n",
                seed, expected.produced(), expected.distinctValid(), expected.deadLetterTotal(), kills.size(), maxInFlight));
        out.append(String.format(Locale.ROOT, "%5s %14s %16s %12s %15s%n", "kill", "applied@kill", "committed@kill", "redelivered", "double-applied"));
        for (Kill kill : kills) {
            out.append(String.format(Locale.ROOT, "%5d %,14d %,16d %,12d %,15d%n", kill.number(), kill.appliedAtKill(),
                    kill.committedRecords(), kill.redelivered(), kill.doubleApplied()));
        }
        out.append(String.format(Locale.ROOT, "total redelivered %,d (max %,d per kill); double-applied %,d; dead letters repeated after a crash: %,d%n",
                kills.stream().mapToLong(Kill::redelivered).sum(), kills.stream().mapToLong(Kill::redelivered).max().orElse(0),
                kills.stream().mapToLong(Kill::doubleApplied).sum(), repeatedDeadLetters));
        return out.toString();
    }
}
