package dev.sluice.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.process.ServiceFleet.GroupView;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.ExpectedLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three instances share a group while a backlog is produced; one is stopped with SIGTERM (it
 * drains and leaves), one is killed with SIGKILL (its partitions move once the broker gives up on
 * it), and a new one joins. Run with the classic protocol (cooperative-sticky) and with KIP-848.
 */
class GroupChurnIT extends ProcessTest {

    /**
     * 100 s of traffic at {@link #RATE}: a JVM start takes 10 s on a quiet machine and has taken
     * over 60 s on a busy one, and the churn's three steps of {@link #STEP} must still find traffic
     * after the third instance joined (with 60 s of traffic they once found the load consumed).
     */
    static final long RECORDS = 250_000;
    /** Payments applied between two steps of the churn: the group works before each next change. */
    static final long STEP = 10_000;
    /** Arrival rate: below what the instances sustain here, so traffic flows through every change (~40 s of it). */
    static final int RATE = 2_500;
    static final int PARTITIONS = 12;
    static final int MAX_IN_FLIGHT = 5_000;

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void drainKillAndJoinUnderLoadLeaveNoPartitionUnconsumedAndTheInvariantExact(GroupProtocol protocol) {
        String prefix = "ch" + protocol.name().toLowerCase(Locale.ROOT).charAt(0) + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        LedgerProbe probe = fleetWithTopics(prefix, protocol, List.of("--sluice.flow.max-in-flight=" + MAX_IN_FLIGHT), PARTITIONS);
        String servers = fleet.infra().bootstrapServers();
        List<String> events = new ArrayList<>();
        long started = System.nanoTime();

        // one at a time (three JVMs starting at once on two cores take several times as long);
        // traffic flows from the moment c's JVM is launched, so c joins while a and b have work in
        // flight, and the load outlasts c's start-up (9 s on a quiet machine, 30 s and more on a busy
        // one: started earlier, the load could be all but consumed before c joined)
        ServiceProcess a = fleet.start("a");
        fleet.awaitAssigned(Duration.ofMinutes(2), a);
        ServiceProcess b = fleet.start("b");
        fleet.awaitAssigned(Duration.ofMinutes(2), b);
        ServiceProcess c = fleet.start("c");
        load = Load.start(servers, fleet.topic(), prefix, RECORDS, 7, RATE);
        GroupView three = fleet.awaitAssigned(Duration.ofMinutes(2), a, b, c);
        assertThat(three.type()).as("group protocol the broker reports").isEqualTo(protocol.type());
        events.add(event(started, probe, "a, b, c assigned " + three.partitionsOf(a) + " " + three.partitionsOf(b) + " " + three.partitionsOf(c)));
        awaitApplied(probe, probe.applied() + STEP, a, b, c);

        a.sigterm();
        int exit = a.awaitExit(Duration.ofSeconds(45));
        assertThat(exit).as("a's exit status after SIGTERM: an orderly stop exits 0").isZero();
        assertThat(a.logLines()).as("a's log").anyMatch(line -> line.contains("drain finished") && line.contains(" 0 abandoned"));
        events.add(event(started, probe, "a drained and exited " + exit));
        long afterDrain = probe.applied();
        awaitApplied(probe, afterDrain + STEP, b, c);

        // d's JVM starts now so that it joins while traffic still flows (a start takes ~10 s here)
        ServiceProcess d = fleet.start("d");
        Set<Integer> ofB = fleet.describe().partitionsOf(b);
        b.kill9();
        Map<Integer, Long> committed = ConsumerLag.committed(servers, fleet.group());
        Map<Integer, Long> writtenOnB = probe.highestWritten().entrySet().stream().filter(e -> ofB.contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        long redeliveredAfterKill = LedgerProbe.redelivered(writtenOnB, committed);
        events.add(event(started, probe, "b killed holding " + ofB + ": " + redeliveredAfterKill + " durable records above its commits"));

        GroupView joined = fleet.awaitAssigned(Duration.ofMinutes(2), c, d);
        events.add(event(started, probe, "d joined: c " + joined.partitionsOf(c) + ", d " + joined.partitionsOf(d)));

        ExpectedLedger expected = load.await(Duration.ofMinutes(3));
        LedgerVerdict.awaitNoLag(fleet, Duration.ofMinutes(3), c, d);
        events.add(event(started, probe, "no lag"));
        GroupView end = fleet.describe();
        assertThat(end.type()).isEqualTo(protocol.type());
        assertThat(end.assigned()).as("partitions owned by c and d at the end").hasSize(PARTITIONS);
        long repeatedDeadLetters = LedgerVerdict.assertExact(fleet, probe, prefix, expected);

        LedgerVerdict.publish(prefix + "-churn-" + protocol.name().toLowerCase(Locale.ROOT), String.format(Locale.ROOT,
                "group churn, %s protocol (group type %s): %,d records, %,d distinct valid, %,d invalid, %d partitions%n  %s%n"
                        + "  redelivered after the SIGKILL %,d (bound %,d); double-applied %,d; dead letters repeated %,d%n",
                protocol, end.type(), expected.produced(), expected.distinctValid(), expected.deadLetterTotal(), PARTITIONS,
                String.join(System.lineSeparator() + "  ", events), redeliveredAfterKill, MAX_IN_FLIGHT, probe.doubleApplied(),
                repeatedDeadLetters));
        assertThat(redeliveredAfterKill).as("redelivered after the SIGKILL").isBetween(0L, (long) MAX_IN_FLIGHT);
    }
}
