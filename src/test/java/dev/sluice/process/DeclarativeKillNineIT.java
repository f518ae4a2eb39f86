package dev.sluice.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testinfra.ConsumerLag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The packaged service running only declarative jobs ({@code sluice.jobs.*} on its command line,
 * the ledger off) is killed with SIGKILL at random points of a backlog still being produced, and
 * restarted each time. Two jobs read the same topic in one process, each in its own group:
 * {@code applied} inserts one row per record into a table whose unique key is the record's key and
 * sequence number, so applying a record twice is a unique violation and a dead letter (the effect
 * is not idempotent); {@code latest} upserts each key's row. At the end every record has exactly
 * one {@code applied} row, the dead-letter topic is empty, and each key's {@code latest} row is
 * the one of the key's last record.
 *
 * <p>Default: 60,000 records over 500 keys, 3 kills. With {@code -Dsluice.soak=true}: 400,000
 * records, 8 kills.
 */
class DeclarativeKillNineIT extends ProcessTest {

    static final boolean SOAK = Boolean.getBoolean("sluice.soak");
    static final int RECORDS = SOAK ? 400_000 : 60_000;
    static final int KILLS = SOAK ? 8 : 3;
    static final int KEYS = 500;
    static final int PER_SECOND = 4_000;
    static final int MAX_IN_FLIGHT = 5_000;

    /** One kill as measured right after the process was gone. */
    record Kill(int number, long appliedAtKill, long committedRecords) {
    }

    @Test
    void declarativeJobsKilledWithSigkillAndRestartedEndWithEveryRecordAppliedOnceAndEachKeysLastRow() {
        String prefix = "k9d" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String appliedTable = prefix + "_applied";
        String latestTable = prefix + "_latest";
        String topic = "payments-" + prefix;
        String group = "sluice-" + prefix;
        String latestGroup = group + "-latest";
        List<String> args = List.of("--sluice.payments.enabled=false", "--sluice.flow.max-in-flight=" + MAX_IN_FLIGHT,
                "--sluice.jobs.applied.topic=" + topic, "--sluice.jobs.applied.group=" + group,
                "--sluice.jobs.applied.table=" + appliedTable, "--sluice.jobs.applied.mode=insert",
                "--sluice.jobs.applied.columns.k=@key", "--sluice.jobs.applied.columns.seq=/seq",
                "--sluice.jobs.latest.topic=" + topic, "--sluice.jobs.latest.group=" + latestGroup,
                "--sluice.jobs.latest.table=" + latestTable, "--sluice.jobs.latest.mode=upsert",
                "--sluice.jobs.latest.key[0]=k", "--sluice.jobs.latest.columns.k=@key",
                "--sluice.jobs.latest.columns.seq=/seq", "--sluice.jobs.latest.columns.payload=/payload");
        fleetWithTopics(prefix, GroupProtocol.CLASSIC, args, 8);
        assertThat(fleet.topic()).isEqualTo(topic);
        assertThat(fleet.group()).isEqualTo(group);
        JdbcTemplate jdbc = new JdbcTemplate(fleet.infra().dataSource());
        jdbc.execute("CREATE TABLE " + appliedTable + " (k text NOT NULL, seq bigint NOT NULL, UNIQUE (k, seq))");
        jdbc.execute("CREATE TABLE " + latestTable + " (k text PRIMARY KEY, seq bigint NOT NULL, payload text NOT NULL)");
        String servers = fleet.infra().bootstrapServers();
        long seed = System.nanoTime();
        CompletableFuture<Void> produced = produce(servers, topic);

        SplittableRandom random = new SplittableRandom(seed);
        long segment = (long) (RECORDS * 0.9) / (KILLS + 1);
        List<Kill> kills = new ArrayList<>();
        long applied = 0;
        for (int i = 1; i <= KILLS; i++) {
            ServiceProcess instance = fleet.start("run-" + i);
            fleet.awaitAssigned(Duration.ofMinutes(2), instance);
            long killAt = applied + segment / 2 + random.nextLong(segment / 2);
            Awaitility.await().atMost(Duration.ofMinutes(SOAK ? 10 : 3)).pollInterval(Duration.ofMillis(50)).until(() -> {
                instance.requireAlive();
                return count(jdbc, appliedTable) >= killAt;
            });
            instance.kill9();
            applied = count(jdbc, appliedTable);
            long committed = ConsumerLag.committed(servers, group).values().stream().mapToLong(Long::longValue).sum();
            kills.add(new Kill(i, applied, committed));
        }
        ServiceProcess last = fleet.start("run-" + (KILLS + 1));
        produced.orTimeout(5, TimeUnit.MINUTES).join();
        Awaitility.await().atMost(Duration.ofMinutes(SOAK ? 15 : 3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last.requireAlive();
            return ConsumerLag.of(servers, group, topic) == 0 && ConsumerLag.of(servers, latestGroup, topic) == 0;
        });

        long deadLetters = ConsumerLag.endOffsets(servers, fleet.deadLetterTopic()).values().stream().mapToLong(Long::longValue).sum();
        LedgerVerdict.publish(prefix + "-declarative-kill9", report(kills, deadLetters, seed));
        assertThat(kills).as("SIGKILLs").hasSize(KILLS).allSatisfy(kill -> assertThat(kill.appliedAtKill()).isLessThan(RECORDS));
        assertThat(deadLetters).as("dead letters (a record applied twice is a unique violation, dead-lettered)").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + appliedTable, Long.class)).as("applied rows").isEqualTo(RECORDS);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + appliedTable
                + " WHERE seq < 0 OR seq >= " + RECORDS + " OR k <> 'key-' || (seq % " + KEYS + ")", Long.class))
                .as("applied rows that no record produced").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + latestTable, Long.class)).as("latest rows").isEqualTo(KEYS);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + latestTable + " WHERE seq <> " + (RECORDS - KEYS)
                + " + substr(k, 5)::bigint OR payload <> 'p-' || seq", Long.class))
                .as("latest rows that are not their key's last record").isZero();
    }

    /** Record {@code i} has key {@code key-(i % KEYS)} and value {@code {"seq":i,"payload":"p-i"}}, produced at a bounded rate in order. */
    private static CompletableFuture<Void> produce(String servers, String topic) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("declarative-kill9-producer").daemon(true).start(() -> {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5),
                    new StringSerializer(), new ByteArraySerializer())) {
                long started = System.nanoTime();
                for (int i = 0; i < RECORDS; i++) {
                    String value = "{\"seq\":" + i + ",\"payload\":\"p-" + i + "\"}";
                    producer.send(new ProducerRecord<>(topic, "key-" + (i % KEYS), value.getBytes(StandardCharsets.UTF_8)));
                    long ahead = TimeUnit.SECONDS.toNanos(i + 1) / PER_SECOND - (System.nanoTime() - started);
                    if (ahead > 0) {
                        TimeUnit.NANOSECONDS.sleep(ahead);
                    }
                }
                producer.flush();
                done.complete(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done.completeExceptionally(e);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private static long count(JdbcTemplate jdbc, String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private static String report(List<Kill> kills, long deadLetters, long seed) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "declarative kill -9 run (seed %d): %,d records over %,d keys at %,d/s, %d kills, in-flight bound %,d%n",
                seed, RECORDS, KEYS, PER_SECOND, kills.size(), MAX_IN_FLIGHT));
        out.append(String.format(Locale.ROOT, "%5s %14s %16s%n", "kill", "applied@kill", "committed@kill"));
        for (Kill kill : kills) {
            out.append(String.format(Locale.ROOT, "%5d %,14d %,16d%n", kill.number(), kill.appliedAtKill(), kill.committedRecords()));
        }
        out.append(String.format(Locale.ROOT, "dead letters %,d%n", deadLetters));
        return out.toString();
    }
}
