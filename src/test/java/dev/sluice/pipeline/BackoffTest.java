package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static RetryProperties retry(long initialMillis, long maxMillis, double multiplier, double jitter) {
        return new RetryProperties(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis), multiplier, jitter);
    }

    @Test
    void growsExponentiallyFromTheInitialWaitAndStopsAtTheCap() {
        RetryProperties retry = retry(100, 10_000, 2.0, 0);
        assertThat(retry.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(retry.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(retry.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(retry.backoff(7)).isEqualTo(Duration.ofMillis(6_400));
        assertThat(retry.backoff(8)).isEqualTo(Duration.ofMillis(10_000));
        assertThat(retry.backoff(1_000)).isEqualTo(Duration.ofMillis(10_000));
        assertThat(retry.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(10_000));
    }

    @Test
    void treatsAttemptsBelowOneAsTheFirst() {
        assertThat(retry(100, 10_000, 2.0, 0).backoff(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(retry(100, 10_000, 2.0, 0).backoff(-5)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void withoutJitterWaitsExactlyTheBackoff() {
        Backoff backoff = new Backoff(retry(100, 10_000, 2.0, 0));
        for (int attempt = 1; attempt < 20; attempt++) {
            assertThat(backoff.delay(attempt)).isEqualTo(retry(100, 10_000, 2.0, 0).backoff(attempt));
        }
    }

    @Test
    void jitterStaysWithinItsFractionAroundTheBackoffAndSpreadsTheWaits() {
        RetryProperties retry = retry(100, 10_000, 2.0, 0.2);
        Backoff backoff = new Backoff(retry);
        for (int attempt : new int[] {1, 3, 8, 50}) {
            long base = retry.backoff(attempt).toMillis();
            Set<Long> seen = new HashSet<>();
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 10_000; i++) {
                long delay = backoff.delay(attempt).toMillis();
                seen.add(delay);
                min = Math.min(min, delay);
                max = Math.max(max, delay);
            }
            assertThat(min).as("attempt %d lowest", attempt).isGreaterThanOrEqualTo(Math.round(base * 0.8));
            assertThat(max).as("attempt %d highest", attempt).isLessThanOrEqualTo(Math.round(base * 1.2));
            // both sides of the base are used, so concurrent retries spread out
            assertThat(min).isLessThan(base);
            assertThat(max).isGreaterThan(base);
            assertThat(seen).hasSizeGreaterThan(10);
        }
    }

    @Test
    void neverWaitsLessThanAMillisecond() {
        Backoff backoff = new Backoff(retry(1, 1, 1.0, 1.0));
        for (int i = 0; i < 10_000; i++) {
            assertThat(backoff.delay(1)).isGreaterThanOrEqualTo(Duration.ofMillis(1));
        }
    }

    @Test
    void anInterruptEndsThePauseAtOnce() throws InterruptedException {
        Backoff backoff = new Backoff(retry(60_000, 60_000, 1.0, 0));
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                backoff.pause(1);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        waiting.interrupt();
        assertThat(waiting.join(Duration.ofSeconds(5))).isTrue();
        assertThat(interrupted).isTrue();
    }

    @Test
    void refusesSettingsThatWouldNotBackOff() {
        assertThatThrownBy(() -> retry(0, 100, 2.0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sluice.retry.initial-backoff");
        assertThatThrownBy(() -> retry(100, 50, 2.0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sluice.retry.max-backoff");
        assertThatThrownBy(() -> new RetryProperties(null, Duration.ofSeconds(1), 2.0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultsReachTheTenSecondCapAfterAboutSevenAttempts() {
        RetryProperties defaults = retry(100, 10_000, 2.0, 0.2);
        long total = 0;
        int attempts = 0;
        while (defaults.backoff(attempts + 1).toMillis() < 10_000) {
            total += defaults.backoff(++attempts).toMillis();
        }
        assertThat(attempts).isEqualTo(7);
        assertThat(TimeUnit.MILLISECONDS.toSeconds(total)).isEqualTo(12);
    }
}
