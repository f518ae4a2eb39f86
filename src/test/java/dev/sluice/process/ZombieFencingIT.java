package dev.sluice.process;

import dev.sluice.process.ServiceFleet.GroupView;
import dev.sluice.testinfra.ExpectedLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A zombie: member {@code a} is frozen with SIGSTOP under load, past its 6 s session timeout, so the
 * group gives its partitions to {@code b}, which claims them and works on; then {@code a} is
 * continued with SIGCONT, still holding batches of records it polled before the freeze. Its sink
 * transactions see the newer owner epoch and roll back (fenced) instead of applying those records a
 * second time; {@code a} gives the partitions up, rejoins, and the run ends with the ledger and the
 * journal exact. Batches wait up to a second to fill, so {@code a} surely holds some when frozen.
 */
class ZombieFencingIT extends ProcessTest {

    static final long RECORDS = 150_000;
    static final int RATE = 3_000;
    static final int PARTITIONS = 8;

    @Test
    void aMemberFrozenPastItsSessionAndContinuedIsFencedAndAppliesNothingTwice() {
        String prefix = "zf" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        LedgerProbe probe = fleetWithTopics(prefix, GroupProtocol.CLASSIC, List.of("--sluice.batch.max-wait=1s"), PARTITIONS);
        String servers = fleet.infra().bootstrapServers();
        List<String> events = new ArrayList<>();
        long started = System.nanoTime();

        ServiceProcess a = fleet.start("a");
        fleet.awaitAssigned(Duration.ofMinutes(2), a);
        ServiceProcess b = fleet.start("b");
        GroupView both = fleet.awaitAssigned(Duration.ofMinutes(2), a, b);
        // traffic from here: a JVM start takes up to a minute on a busy machine, so it must not run out before the freeze
        load = Load.start(servers, fleet.topic(), prefix, RECORDS, 23, RATE);
        Set<Integer> ofA = both.partitionsOf(a);
        awaitApplied(probe, probe.applied() + 10_000, a, b);
        events.add(event(started, probe, "a " + ofA + " and b " + both.partitionsOf(b) + " working"));

        a.sigstop();
        events.add(event(started, probe, "a frozen (SIGSTOP)"));
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250)).until(() -> {
            b.requireAlive();
            return fleet.describe().partitionsOf(b).containsAll(ofA);
        });
        events.add(event(started, probe, "b owns a's partitions too"));
        awaitApplied(probe, probe.applied() + 5_000, b);

        a.sigcont();
        events.add(event(started, probe, "a continued (SIGCONT)"));
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250)).until(() -> {
            a.requireAlive();
            // a write already in its transaction is fenced at commit; work still queued is discarded
            // when the consumer learns it lost the partitions: either way a applies none of it
            return a.logLines().stream().anyMatch(line -> line.contains("claimed by a newer owner")
                    || line.contains("without a chance to commit"));
        });
        events.add(event(started, probe, "a fenced or its work discarded: " + a.logLines().stream()
                .filter(line -> line.contains("records not written") || line.contains("without a chance to commit"))
                .findFirst().orElse("(no count)").strip()));

        ExpectedLedger expected = load.await(Duration.ofMinutes(3));
        LedgerVerdict.awaitNoLag(fleet, Duration.ofMinutes(3), a, b);
        events.add(event(started, probe, "no lag"));
        long repeatedDeadLetters = LedgerVerdict.assertExact(fleet, probe, prefix, expected);

        LedgerVerdict.publish(prefix + "-zombie", String.format(Locale.ROOT,
                "zombie fencing: %,d records, %,d distinct valid, %,d invalid, %d partitions%n  %s%n  dead letters repeated %,d%n",
                expected.produced(), expected.distinctValid(), expected.deadLetterTotal(), PARTITIONS,
                String.join(System.lineSeparator() + "  ", events), repeatedDeadLetters));
    }
}
