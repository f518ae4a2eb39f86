package dev.sluice.process;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.Traffic;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Payments produced on a thread of their own while the services run: valid ones, exact replays and
 * invalid ones, 6% and 1.5% of the records. The expected ledger belongs to the producing thread until
 * {@link #await(Duration)} hands it over.
 */
final class Load implements AutoCloseable {

    static final double REPLAYS = 0.06;
    static final double INVALID = 0.015;

    private final Traffic traffic;
    private final CompletableFuture<ExpectedLedger> produced = new CompletableFuture<>();

    private Load(Traffic traffic) {
        this.traffic = traffic;
    }

    /** Starts producing {@code records} generated payments for accounts {@code prefix-…} to {@code topic}, all at once. */
    static Load start(String bootstrapServers, String topic, String prefix, long records, long seed) {
        return start(bootstrapServers, topic, prefix, records, seed, 0);
    }

    /**
     * Like {@link #start(String, String, String, long, long)}, at {@code perSecond} records a second
     * (0: as fast as the broker takes them), so that traffic keeps arriving while instances come and go.
     */
    static Load start(String bootstrapServers, String topic, String prefix, long records, long seed, int perSecond) {
        Load load = new Load(new Traffic(bootstrapServers));
        PaymentGenerator generator = new PaymentGenerator(new PaymentGenerator.Spec(prefix, 500, REPLAYS, INVALID, 0.05, 2, seed));
        Thread.ofPlatform().name("process-test-producer").daemon(true).start(() -> {
            try {
                load.produced.complete(load.traffic.produce(topic, generator, records, perSecond, new ExpectedLedger()));
            } catch (RuntimeException | Error e) {
                load.produced.completeExceptionally(e);
            }
        });
        return load;
    }

    /** The expected ledger once every record is acknowledged by the broker. */
    ExpectedLedger await(Duration atMost) {
        try {
            return produced.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("producing the load failed or took longer than " + atMost, e);
        }
    }

    boolean done() {
        return produced.isDone();
    }

    @Override
    public void close() {
        traffic.close();
    }
}
