package dev.sluice.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.RejectReason;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.LedgerAssertions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/** The end-of-run checks every process test makes: no lag, the invariant exact, only invalid inputs dead-lettered. */
final class LedgerVerdict {

    private LedgerVerdict() {
    }

    /** Waits until the group has committed the whole topic, failing fast if a running instance died. */
    static void awaitNoLag(ServiceFleet fleet, Duration atMost, ServiceProcess... running) {
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            Stream.of(running).forEach(ServiceProcess::requireAlive);
            return ConsumerLag.of(fleet.infra().bootstrapServers(), fleet.group(), fleet.topic()) == 0;
        });
    }

    /**
     * Once there is no lag: every partition committed to its end, the invariant of DESIGN.md exact,
     * no effect applied twice, exactly one journal row per valid source record (exactly-once mode,
     * the default), and the dead-letter topic holding exactly the invalid inputs (by source position;
     * a dead letter published again after a crash is counted once). Returns how many dead letters
     * were such repeats.
     */
    static long assertExact(ServiceFleet fleet, LedgerProbe probe, String prefix, ExpectedLedger expected) {
        long repeatedDeadLetters = assertLedgerExact(fleet, probe, prefix, expected);
        LedgerAssertions.assertJournalExact(probe.jdbc(), fleet.topic(), expected);
        return repeatedDeadLetters;
    }

    /** {@link #assertExact} without the journal: what at-least-once mode guarantees. */
    static long assertLedgerExact(ServiceFleet fleet, LedgerProbe probe, String prefix, ExpectedLedger expected) {
        String servers = fleet.infra().bootstrapServers();
        Map<Integer, Long> ends = ConsumerLag.endOffsets(servers, fleet.topic());
        assertThat(ends.values().stream().mapToLong(Long::longValue).sum())
                .as("records on the source topic (else the test's producer lost some)").isEqualTo(expected.produced());
        Map<Integer, Long> committed = ConsumerLag.committed(servers, fleet.group());
        Map<Integer, Long> committedPerPartition = ends.keySet().stream()
                .collect(Collectors.toMap(Function.identity(), p -> committed.getOrDefault(p, 0L)));
        assertThat(committedPerPartition).as("every partition committed to its end offset").isEqualTo(ends);

        List<DeadLetter> letters = DeadLetterReader.readAll(servers, fleet.deadLetterTopic());
        Map<String, String> reasonBySource = letters.stream().collect(Collectors.toMap(
                l -> l.headers().get("sluice.source.partition") + "@" + l.headers().get("sluice.source.offset"),
                DeadLetter::reason, (a, b) -> a));
        assertThat(SourceAudit.missing(servers, fleet.topic(), probe.jdbc(), prefix, reasonBySource.keySet()))
                .as("valid source records without a payment row, per partition").isEmpty();
        LedgerAssertions.assertInvariant(probe.jdbc(), prefix + "-", expected);
        assertThat(probe.doubleApplied()).as("effects applied twice").isZero();

        Map<String, Long> reasons = reasonBySource.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Map<String, Long> expectedReasons = expected.deadLetters().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().header(), Map.Entry::getValue));
        assertThat(reasons).as("dead letters by reason (only the invalid inputs, no %s)", RejectReason.CONFLICT.header())
                .isEqualTo(expectedReasons);
        return letters.size() - reasonBySource.size();
    }

    /** Dead letters on the fleet's dead-letter topic so far that repeat an earlier one's source position. */
    static long repeatedDeadLetters(ServiceFleet fleet) {
        List<DeadLetter> letters = DeadLetterReader.readAll(fleet.infra().bootstrapServers(), fleet.deadLetterTopic());
        long positions = letters.stream()
                .map(l -> l.headers().get("sluice.source.partition") + "@" + l.headers().get("sluice.source.offset"))
                .distinct().count();
        return letters.size() - positions;
    }

    /** Prints {@code report} to the test output and keeps it next to the process logs. */
    static void publish(String name, String report) {
        System.out.println(report);
        Path file = Path.of(System.getProperty("basedir", "."), "target", "process-logs", name + "-report.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, report, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
