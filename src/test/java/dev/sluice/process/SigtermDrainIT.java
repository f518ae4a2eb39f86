package dev.sluice.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.ExpectedLedger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A deploy as Kubernetes does it: SIGTERM to the service process under load. With the default
 * shutdown mode (drain, 30 s deadline) it finishes and commits everything it fetched, exits within
 * the deadline, and the next start redelivers nothing it had already written. The next one is
 * configured to abort on SIGTERM: it cancels its work in flight and commits only the durable
 * prefix; the one after it skips what that abort left durable but uncommitted, so the ledger and
 * the journal (one row per valid record) end exact.
 */
class SigtermDrainIT extends ProcessTest {

    static final long RECORDS = 80_000;
    static final Duration DRAIN_DEADLINE = Duration.ofSeconds(30);

    @Test
    void sigtermUnderLoadDrainsCommitsAllItFetchedAndExitsWithinTheDrainDeadline() {
        String prefix = "st" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        LedgerProbe probe = fleetWithTopics(prefix, GroupProtocol.CLASSIC, List.of(), 8);
        String servers = fleet.infra().bootstrapServers();
        load = Load.start(servers, fleet.topic(), prefix, RECORDS, 11);

        ServiceProcess first = fleet.start("first");
        fleet.awaitAssigned(Duration.ofMinutes(2), first);
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            first.requireAlive();
            return probe.applied() >= RECORDS / 4;
        });
        long signalled = System.nanoTime();
        first.sigterm();
        int exit = first.awaitExit(DRAIN_DEADLINE.plusSeconds(15));
        Duration tookToExit = Duration.ofNanos(System.nanoTime() - signalled);

        Map<Integer, Long> committed = ConsumerLag.committed(servers, fleet.group());
        long redelivered = LedgerProbe.redelivered(probe.highestWritten(), committed);
        String drained = first.logLines().stream().filter(line -> line.contains("drain finished")).findFirst().orElse("(no drain line)");
        long appliedAtExit = probe.applied();
        assertThat(exit).as("exit status after SIGTERM: an orderly stop exits 0").isZero();
        assertThat(tookToExit).as("time from SIGTERM to exit").isLessThan(DRAIN_DEADLINE);
        assertThat(drained).as("the drain's own report").contains(" 0 abandoned");
        assertThat(redelivered).as("records written but not committed at exit").isZero();
        assertThat(LedgerVerdict.repeatedDeadLetters(fleet)).as("dead letters published twice by the drained run").isZero();

        ServiceProcess second = fleet.start("second", List.of("--sluice.shutdown.mode=abort"));
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            second.requireAlive();
            return probe.applied() >= appliedAtExit + RECORDS / 4;
        });
        second.sigterm();
        int abortExit = second.awaitExit(Duration.ofSeconds(30));
        String aborted = second.logLines().stream().filter(line -> line.contains("abort finished")).findFirst().orElse("(no abort line)");
        assertThat(abortExit).as("exit status after SIGTERM with shutdown mode abort").isZero();
        assertThat(aborted).as("the abort's own report").contains("abort finished");

        ServiceProcess third = fleet.start("third");
        ExpectedLedger expected = load.await(Duration.ofMinutes(2));
        LedgerVerdict.awaitNoLag(fleet, Duration.ofMinutes(3), third);
        long repeatedDeadLetters = LedgerVerdict.assertExact(fleet, probe, prefix, expected);

        LedgerVerdict.publish(prefix + "-sigterm", String.format(Locale.ROOT,
                "SIGTERM drain: %,d records (%,d distinct valid, %,d invalid); exit %d after %d ms (deadline %d s), applied at exit %,d;"
                        + "%n  %s%n  written-but-uncommitted at exit (redelivered by the next start): %,d; dead letters repeated %,d"
                        + "%n  then SIGTERM with shutdown mode abort: %s%n",
                expected.produced(), expected.distinctValid(), expected.deadLetterTotal(), exit, tookToExit.toMillis(),
                DRAIN_DEADLINE.toSeconds(), appliedAtExit, drained.strip(), redelivered, repeatedDeadLetters, aborted.strip()));
    }
}
