package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.SinkDecorator;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.IntegrationTest;
import dev.sluice.testinfra.SimulatedCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Per-key order to durability: a payment and a conflicting reuse of its paymentId, same key, back
 * to back, must always end with the original stored and the reuse dead-lettered as a conflict,
 * however many sink threads write and whichever batches are slow. (Before the sink was sharded by
 * key, the later batch could commit first on another thread and the original lost.) The shipped
 * ledger has no process step, so it takes the direct path (no worker threads); the same race with a
 * blocking step goes through the worker lanes.
 */
class PerKeyDurabilityOrderIT {

    static final int PAIRS = 1500;
    static final int ACCOUNTS = 40;

    /** The shipped sink, with every other batch held up a little before its transaction. */
    @TestConfiguration(proxyBeanMethods = false)
    static class UnevenSink {
        @Bean
        SinkDecorator<Payment> unevenSink() {
            return new SinkDecorator<>("ledger", ledgerSink -> new BatchSink<>() {
                @Override
                public List<SinkOutcome> write(List<SinkItem<Payment>> batch) throws TransientSinkException, InterruptedException {
                    long first = batch.getFirst().record().ref().offset();
                    if (first % 2 == 0) {
                        SimulatedCall.take(Duration.ofMillis(1 + first % 7));
                    }
                    return ledgerSink.write(batch);
                }

                @Override
                public void cancelAll() {
                    ledgerSink.cancelAll();
                }
            });
        }
    }

    /**
     * A process step that changes nothing but declares that it blocks: the records go through the
     * worker lanes. Imported by the one race that wants it (not a configuration class, so it is
     * never picked up by the others).
     */
    static class BlockingStep {
        @Bean
        ProcessStep<Payment> blockingIdentity() {
            return payment -> payment;
        }
    }

    @Import(UnevenSink.class)
    abstract static class Race extends IntegrationTest {

        /** True when the records go through worker threads (a blocking step), false on the direct path. */
        boolean throughWorkers() {
            return false;
        }

        @Test
        void theFirstOfTwoConflictingPaymentsOfOneKeyAlwaysWins() {
            traffic.createTopics(4, topicName(), deadLetterTopic());
            String prefix = prefix("order");
            for (int i = 0; i < PAIRS; i++) {
                String account = prefix + "-acc-" + (i % ACCOUNTS);
                String id = prefix + "-pay-" + i;
                traffic.send(topicName(), account, json(id, account, 100 + i));
                traffic.send(topicName(), account, json(id, account, 900_000 + i));
            }
            traffic.flush();

            pipeline.resume();
            awaitNoLag(Duration.ofSeconds(120));

            Map<String, Long> stored = new HashMap<>();
            jdbc.query("SELECT payment_id, amount_cents FROM sluice.payments WHERE account LIKE ?",
                    rs -> {
                        stored.put(rs.getString(1), rs.getLong(2));
                    }, prefix + "%");
            assertThat(stored).hasSize(PAIRS);
            for (int i = 0; i < PAIRS; i++) {
                assertThat(stored.get(prefix + "-pay-" + i)).as("payment %d: the first in offset order is stored", i)
                        .isEqualTo(100L + i);
            }
            List<DeadLetter> letters = DeadLetterReader.readAll(bootstrapServers(), deadLetterTopic());
            assertThat(letters).hasSize(PAIRS).allSatisfy(letter -> {
                assertThat(letter.reason()).isEqualTo("conflict");
                assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("\"amountCents\":9");
            });
            Long balances = jdbc.queryForObject("SELECT sum(balance_cents)::bigint FROM sluice.account_balances WHERE account LIKE ?",
                    Long.class, prefix + "%");
            assertThat(balances).isEqualTo((long) PAIRS * 100 + (long) PAIRS * (PAIRS - 1) / 2);
            long workersStarted = pipeline.metrics().workersStartedTotal();
            if (throughWorkers()) {
                assertThat(workersStarted).as("a blocking step runs on worker threads").isPositive();
            } else {
                assertThat(workersStarted).as("the direct path starts no worker thread").isZero();
            }
        }

        private static byte[] json(String id, String account, long amount) {
            return ("{\"paymentId\":\"" + id + "\",\"account\":\"" + account + "\",\"amountCents\":" + amount
                    + ",\"currency\":\"EUR\",\"occurredAt\":\"2026-11-29T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    @Nested
    @TestPropertySource(properties = {"sluice.batch.sink-threads=1", "sluice.batch.max-size=7", "sluice.batch.max-wait=2ms"})
    class OneSinkThread extends Race {
    }

    @Nested
    @TestPropertySource(properties = {"sluice.batch.sink-threads=4", "sluice.batch.max-size=7", "sluice.batch.max-wait=2ms"})
    class FourSinkThreads extends Race {
    }

    @Nested
    @Import(BlockingStep.class)
    @TestPropertySource(properties = {"sluice.batch.sink-threads=4", "sluice.batch.max-size=7", "sluice.batch.max-wait=2ms"})
    class FourSinkThreadsThroughWorkers extends Race {
        @Override
        boolean throughWorkers() {
            return true;
        }
    }

    @Nested
    @TestPropertySource(properties = {"sluice.batch.sink-threads=8", "sluice.batch.max-size=7", "sluice.batch.max-wait=2ms",
        "spring.datasource.hikari.maximum-pool-size=12"})
    class EightSinkThreads extends Race {
    }
}
