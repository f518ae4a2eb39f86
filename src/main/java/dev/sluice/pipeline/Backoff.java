package dev.sluice.pipeline;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter from {@link RetryProperties}; stateless and thread-safe. */
public final class Backoff {

    private final RetryProperties retry;

    public Backoff(RetryProperties retry) {
        this.retry = retry;
    }

    /** The wait after failed attempt {@code attempt} (from 1): capped, with ±jitter. */
    public Duration delay(int attempt) {
        long base = retry.backoff(attempt).toMillis();
        double spread = retry.jitter() * base;
        long jittered = Math.round(base + ThreadLocalRandom.current().nextDouble(-spread, spread + 1e-9));
        return Duration.ofMillis(Math.max(1, jittered));
    }

    /** Sleeps for {@link #delay(int)}; an interrupt (abort) ends the wait at once. */
    public void pause(int attempt) throws InterruptedException {
        Thread.sleep(delay(attempt));
    }
}
