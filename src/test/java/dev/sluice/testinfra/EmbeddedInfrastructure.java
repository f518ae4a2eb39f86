package dev.sluice.testinfra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The in-process infrastructure, started once per JVM and shared by every test: a real KRaft
 * Kafka broker (spring-kafka-test) and a real PostgreSQL server (zonky). Also used by the demo.
 */
public final class EmbeddedInfrastructure {

    private static EmbeddedKafkaKraftBroker kafka;
    private static EmbeddedPostgres postgres;
    private static Path postgresData;
    /** When false, the owner closes the infrastructure itself (the demo: after its context drained). */
    private static boolean shutdownHooks = true;

    private EmbeddedInfrastructure() {
    }

    public static synchronized String bootstrapServers() {
        if (kafka == null) {
            EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 8);
            broker.brokerProperties(Map.of(
                    "auto.create.topics.enable", "false",
                    "group.initial.rebalance.delay.ms", "0",
                    // the new consumer protocol (KIP-848): notice a killed member in 6 s, not the default 45 s
                    "group.consumer.min.session.timeout.ms", "6000",
                    "group.consumer.session.timeout.ms", "6000",
                    "group.consumer.min.heartbeat.interval.ms", "1000",
                    "group.consumer.heartbeat.interval.ms", "1000",
                    "offsets.topic.replication.factor", "1",
                    "transaction.state.log.replication.factor", "1"));
            broker.afterPropertiesSet();
            kafka = broker;
            if (shutdownHooks) {
                Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "embedded-kafka-stop"));
            }
        }
        return kafka.getBrokersAsString();
    }

    /** The JDBC URL of database {@code sluice} on the embedded server (created on first use). */
    public static synchronized String jdbcUrl() {
        EmbeddedPostgres server = postgres();
        return server.getJdbcUrl("postgres", "sluice");
    }

    public static String username() {
        return "postgres";
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgresData = Files.createTempDirectory("sluice-pg");
                postgres = start(postgresData, 0);
                try (Connection connection = postgres.getPostgresDatabase().getConnection();
                        Statement statement = connection.createStatement()) {
                    statement.execute("CREATE DATABASE sluice");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return postgres;
    }

    /**
     * Leaves stopping to the caller ({@link #shutdown()}) instead of JVM shutdown hooks, which would
     * race an application's own drain on SIGTERM. Call before first use.
     */
    public static synchronized void manualShutdown() {
        shutdownHooks = false;
    }

    /** Stops the broker and the database server. */
    public static synchronized void shutdown() {
        if (kafka != null) {
            kafka.destroy();
            kafka = null;
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            postgres = null;
        }
    }

    /** Stops the embedded PostgreSQL server (an outage), keeping its data directory and port. */
    public static synchronized void stopPostgres() throws IOException {
        postgres.close();
    }

    /** Starts it again on the same data directory and port. */
    public static synchronized void startPostgres() throws IOException {
        postgres = start(postgresData, postgres.getPort());
    }

    private static EmbeddedPostgres start(Path data, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setRegisterShutdownHook(shutdownHooks)
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on");
        if (port > 0) {
            builder.setPort(port);
        }
        return builder.start();
    }
}
