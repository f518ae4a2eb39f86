package dev.sluice.ops;

import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.ShutdownProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Settings that are valid one by one but must agree with each other, checked at start-up: a
 * disagreement fails the start with a message naming both properties.
 * <ul>
 * <li>{@code sluice.shutdown.drain-deadline} + {@code sluice.shutdown.abort-timeout} must fit in
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, or Boot stops the pipeline's lifecycle
 * phase before a drain (and the abort that may follow it) is over and closes the DataSource under
 * it.</li>
 * <li>{@code sluice.batch.sink-threads} must be below {@code spring.datasource.hikari.maximum-pool-size}:
 * each sink thread holds a connection for its transaction, and Flyway, health checks and the
 * journal need one besides.</li>
 * </ul>
 */
@Component
class LinkedSettings {

    static final Duration BOOT_DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);
    static final int HIKARI_DEFAULT_POOL_SIZE = 10;

    LinkedSettings(ShutdownProperties shutdown, BatchProperties batch, Environment environment) {
        Binder binder = Binder.get(environment);
        Duration phase = binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(BOOT_DEFAULT_PHASE_TIMEOUT);
        int poolSize = binder.bind("spring.datasource.hikari.maximum-pool-size", Integer.class)
                .orElse(HIKARI_DEFAULT_POOL_SIZE);
        List<String> problems = problems(shutdown.drainDeadline(), shutdown.abortTimeout(), phase, batch.sinkThreads(), poolSize);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Settings that must agree do not: " + String.join("; ", problems));
        }
    }

    /** Each disagreement as a sentence naming both properties; empty when they agree. */
    static List<String> problems(Duration drainDeadline, Duration abortTimeout, Duration phaseTimeout, int sinkThreads, int poolSize) {
        List<String> problems = new ArrayList<>();
        Duration shutdown = drainDeadline.plus(abortTimeout);
        if (shutdown.compareTo(phaseTimeout) > 0) {
            problems.add("sluice.shutdown.drain-deadline (" + drainDeadline + ") + sluice.shutdown.abort-timeout (" + abortTimeout
                    + ") = " + shutdown + " does not fit in spring.lifecycle.timeout-per-shutdown-phase (" + phaseTimeout
                    + "): raise the phase timeout to at least their sum, or shorten the drain deadline");
        }
        if (sinkThreads >= poolSize) {
            problems.add("sluice.batch.sink-threads (" + sinkThreads + ") must be below spring.datasource.hikari.maximum-pool-size ("
                    + poolSize + "): each sink thread holds a connection, and Flyway and health checks need one besides");
        }
        return problems;
    }
}
