package dev.sluice.ops;

import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.postgres.DatabaseProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.Bindable;
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
 * <li>The driver's {@code socketTimeout} (pgjdbc, in seconds: in
 * {@code spring.datasource.hikari.data-source-properties} or the URL) must be set and above
 * {@code sluice.database.statement-timeout} and {@code sluice.delivery.claim-timeout}: it ends a
 * statement whose server went silent (a dead node, a cut network), so it must not cut a statement
 * the server is still allowed to run.</li>
 * </ul>
 */
@Component
class LinkedSettings {

    static final Duration BOOT_DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);
    static final int HIKARI_DEFAULT_POOL_SIZE = 10;

    private static final Pattern URL_SOCKET_TIMEOUT = Pattern.compile("[?&]socketTimeout=(\\d+)", Pattern.CASE_INSENSITIVE);

    LinkedSettings(ShutdownProperties shutdown, BatchProperties batch, DatabaseProperties database, DeliveryProperties delivery,
            Environment environment) {
        Binder binder = Binder.get(environment);
        Duration phase = binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(BOOT_DEFAULT_PHASE_TIMEOUT);
        int poolSize = binder.bind("spring.datasource.hikari.maximum-pool-size", Integer.class)
                .orElse(HIKARI_DEFAULT_POOL_SIZE);
        List<String> problems = new ArrayList<>(
                problems(shutdown.drainDeadline(), shutdown.abortTimeout(), phase, batch.sinkThreads(), poolSize));
        problems.addAll(socketProblems(socketTimeoutSeconds(binder), database.statementTimeout(), delivery.claimTimeout()));
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

    /**
     * The driver's socket timeout in seconds: {@code socketTimeout} of the Hikari data-source
     * properties, else of the URL; 0 when neither sets it (pgjdbc's default: no timeout).
     */
    static long socketTimeoutSeconds(Binder binder) {
        Map<String, String> properties = binder.bind("spring.datasource.hikari.data-source-properties",
                Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        for (Map.Entry<String, String> property : properties.entrySet()) {
            if (property.getKey().toLowerCase(Locale.ROOT).replace("-", "").equals("sockettimeout")) {
                return Long.parseLong(property.getValue().trim());
            }
        }
        Matcher url = URL_SOCKET_TIMEOUT.matcher(binder.bind("spring.datasource.url", String.class).orElse(""));
        return url.find() ? Long.parseLong(url.group(1)) : 0;
    }

    /** The socket timeout's disagreements with the database bounds; empty when it is set and above both. */
    static List<String> socketProblems(long socketTimeoutSeconds, Duration statementTimeout, Duration claimTimeout) {
        Duration socket = Duration.ofSeconds(socketTimeoutSeconds);
        if (socketTimeoutSeconds <= 0) {
            return List.of("spring.datasource.hikari.data-source-properties.socketTimeout is not set: a statement whose"
                    + " server went silent (a dead node, a cut network) would block its thread until TCP keepalive gives up;"
                    + " set it (seconds) above sluice.database.statement-timeout (" + statementTimeout + ")");
        }
        Duration longest = statementTimeout.compareTo(claimTimeout) >= 0 ? statementTimeout : claimTimeout;
        if (socket.compareTo(longest) <= 0) {
            return List.of("spring.datasource.hikari.data-source-properties.socketTimeout (" + socketTimeoutSeconds
                    + " s) must be above sluice.database.statement-timeout (" + statementTimeout
                    + ") and sluice.delivery.claim-timeout (" + claimTimeout + "): it would cut statements the server still runs");
        }
        return List.of();
    }
}
