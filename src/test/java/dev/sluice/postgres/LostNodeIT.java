package dev.sluice.postgres;

import static dev.sluice.testinfra.LedgerAssertions.assertInvariant;
import static dev.sluice.testinfra.LedgerAssertions.assertJournalExact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.payments.LedgerWriter;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.ProgressStore.Claim;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.PgProxy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.observation.ObservationRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A member's node is lost in the middle of two sink transactions (issue 20, item 3): it reaches
 * PostgreSQL through a TCP proxy that then cuts the client side and keeps the server side open and
 * silent, as a dead node's connections stay until TCP keepalive gives up. One transaction passed
 * the fence (it holds partition 0's owner row FOR SHARE and its ledger rows), the other is inside
 * its writer (ledger rows only, partition 1). The surviving member (this test's pipeline, connected
 * directly) claims partition 1 while partition 0's owner row is held (a locked row does not hold up
 * the other claims), retries its blocked batches and partition 0's claim visibly
 * ({@code sluice.retries}), and once {@code sluice.database.idle-in-transaction-timeout}, which the
 * lost node's sessions carried, ends them, applies every record exactly once with no lag left.
 */
@TestPropertySource(properties = {"sluice.database.idle-in-transaction-timeout=10s", "sluice.database.lock-timeout=500ms",
        "sluice.delivery.claim-timeout=1s", "sluice.retry.max-backoff=1s", "sluice.batch.max-size=100"})
class LostNodeIT extends IntegrationTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final String LOST_NODE = "lost-node";

    @Autowired
    private DatabaseProperties database;
    @Autowired
    private JdbcConnectionDetails connection;

    @Test
    void aNodeLostMidTransactionHoldsThePartitionsOnlyUntilItsIdleInTransactionTimeout() throws Exception {
        assertThat(database.idleInTransactionTimeout()).isEqualTo(IDLE_TIMEOUT);
        String prefix = prefix("lost");
        traffic.createTopics(2, topicName(), deadLetterTopic());
        PaymentGenerator.Spec spec = PaymentGenerator.Spec.of(prefix, 20);
        ExpectedLedger expected = traffic.produce(topicName(), new PaymentGenerator(spec), 3_000, new ExpectedLedger());
        PartitionId p0 = new PartitionId(topicName(), 0);
        PartitionId p1 = new PartitionId(topicName(), 1);

        URI server = URI.create(connection.getJdbcUrl().substring("jdbc:".length()));
        try (PgProxy proxy = new PgProxy(server.getHost(), server.getPort())) {
            PGSimpleDataSource throughProxy = new PGSimpleDataSource();
            throughProxy.setURL(proxy.jdbcUrl(server.getPath().substring(1)));
            throughProxy.setUser(connection.getUsername());
            throughProxy.setPassword(connection.getPassword());
            throughProxy.setApplicationName(LOST_NODE);

            // the lost node claims both partitions and writes the first payments: its own code path and settings
            PostgresProgress lostProgress = new PostgresProgress(throughProxy, group(), LOST_NODE, Duration.ofSeconds(1),
                    Duration.ofMinutes(10), database);
            Map<PartitionId, Claim> claims = lostProgress.claim(Map.of(p0, 0L, p1, 0L));
            List<List<Payment>> halves = firstPaymentsByAccountParity(spec);
            CountDownLatch atCommit = new CountDownLatch(1);
            CountDownLatch inWriter = new CountDownLatch(1);
            CountDownLatch gone = new CountDownLatch(1);
            TransactionalBatchSink<Payment> passedTheFence = new TransactionalBatchSink<>(commitsBlocked(throughProxy, atCommit, gone),
                    new LedgerWriter(), lostProgress, ObservationRegistry.NOOP, database);
            TransactionalBatchSink<Payment> inItsWriter = new TransactionalBatchSink<>(throughProxy, (c, batch) -> {
                var outcomes = new LedgerWriter().write(c, batch);
                inWriter.countDown();
                await(gone);
                return outcomes;
            }, lostProgress, ObservationRegistry.NOOP, database);
            Thread first = Thread.startVirtualThread(() -> writeQuietly(passedTheFence, items(p0, claims.get(p0).epoch(), halves.get(0))));
            Thread second = Thread.startVirtualThread(() -> writeQuietly(inItsWriter, items(p1, claims.get(p1).epoch(), halves.get(1))));
            assertThat(atCommit.await(30, TimeUnit.SECONDS)).as("the first transaction passed the fence").isTrue();
            assertThat(inWriter.await(30, TimeUnit.SECONDS)).as("the second wrote its rows").isTrue();

            proxy.cutClients();
            gone.countDown();
            first.join(Duration.ofSeconds(10));
            second.join(Duration.ofSeconds(10));
            assertThat(lostSessions()).as("the server keeps the lost node's sessions, idle in transaction").isEqualTo(2);

            long started = System.nanoTime();
            pipeline.resume();
            // while the lost sessions hold their locks: partition 1 is claimed, partition 0 waits, both visibly
            await(IDLE_TIMEOUT).until(() -> ownership(p1).equals("owned") && ownership(p0).equals("claiming")
                    && retries("claim", "owner-row-locked") > 0 && retries("sink", "lock-timeout") > 0);
            assertThat(lostSessions()).as("observed while the lost node's sessions lasted").isPositive();

            Duration bound = IDLE_TIMEOUT.plusSeconds(45);
            awaitNoLag(bound);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(lostSessions()).as("ended by the server").isZero();
            assertInvariant(jdbc, prefix, expected);
            assertJournalExact(jdbc, topicName(), expected);
            System.out.printf("lost node: taken over and caught up in %d ms (idle-in-transaction timeout %s)%n", took.toMillis(),
                    IDLE_TIMEOUT);
        }
    }

    /** The lost node's sessions the server still keeps. */
    private long lostSessions() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", Long.class, LOST_NODE);
    }

    private double retries(String stage, String cause) {
        Counter counter = pipeline.metrics().registry().find("sluice.retries").tag("stage", stage).tag("cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }

    private String ownership(PartitionId partition) throws Exception {
        JsonNode status = JsonMapper.shared().readTree(getBody("/actuator/pipeline"));
        return status.path("jobs").path("ledger").path("pipeline").path("partitions")
                .path(partition.topic() + "-" + partition.partition()).path("ownership").asString();
    }

    /** The first payments the generator makes (as produced), split by account so the two transactions never wait on each other. */
    private static List<List<Payment>> firstPaymentsByAccountParity(PaymentGenerator.Spec spec) {
        PaymentGenerator generator = new PaymentGenerator(spec);
        Map<String, Payment> byId = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            Payment payment = generator.next().payment();
            if (payment != null) {
                byId.putIfAbsent(payment.paymentId(), payment);
            }
        }
        List<Payment> even = new ArrayList<>();
        List<Payment> odd = new ArrayList<>();
        byId.values().forEach(p -> (Math.floorMod(p.account().hashCode(), 2) == 0 ? even : odd).add(p));
        return List.of(even.subList(0, Math.min(40, even.size())), odd.subList(0, Math.min(40, odd.size())));
    }

    private static List<SinkItem<Payment>> items(PartitionId partition, long epoch, List<Payment> payments) {
        List<SinkItem<Payment>> items = new ArrayList<>();
        for (int i = 0; i < payments.size(); i++) {
            Payment payment = payments.get(i);
            byte[] value = PaymentGenerator.json(payment);
            items.add(new SinkItem<>(new InboundRecord(new RecordRef(partition, epoch, i, value.length),
                    payment.account().getBytes(StandardCharsets.UTF_8), value, 0), payment));
        }
        return items;
    }

    private static void writeQuietly(TransactionalBatchSink<Payment> sink, List<SinkItem<Payment>> batch) {
        try {
            sink.write(batch);
        } catch (Exception e) {
            // the node is gone: its writes fail, as a dead process's would never return
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code target}'s connections, whose commit waits for {@code gone} after counting down {@code atCommit}. */
    private static DataSource commitsBlocked(DataSource target, CountDownLatch atCommit, CountDownLatch gone) {
        return (DataSource) Proxy.newProxyInstance(LostNodeIT.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection real = (Connection) result;
                    return Proxy.newProxyInstance(LostNodeIT.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (c, m, a) -> {
                                if (m.getName().equals("commit")) {
                                    atCommit.countDown();
                                    await(gone);
                                }
                                return invoke(real, m, a);
                            });
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
