package dev.sluice.bench;

import dev.sluice.testinfra.Traffic;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The declarative row's topic: JSON objects keyed by an item id, each with a version that grows
 * per key. Keys repeat (half as many keys as records, drawn at random), so the version guard
 * decides between stored and new rows; a tenth of the records are stale re-sends (an older
 * version of a key already sent, with that version's content), which the guard must skip. The
 * expected table is every key once with its highest version and that version's amount.
 *
 * @param expected key → highest version sent
 */
record VersionedDataset(String topic, long records, Map<String, Long> expected) {

    /** The benchmark's own table (schema public), created and emptied here. */
    static final String TABLE = "bench_items";
    static final double STALE_FRACTION = 0.1;

    static VersionedDataset produce(String bootstrapServers, String topic, int count) {
        try (Traffic traffic = new Traffic(bootstrapServers)) {
            traffic.createTopics(Dataset.PARTITIONS, topic, topic + ".DLT");
        }
        Traffic.awaitLeaders(bootstrapServers, topic);
        int keys = Math.max(1, count / 2);
        SplittableRandom random = new SplittableRandom(21);
        Map<String, Long> latest = new HashMap<>();
        try (Producer<byte[], byte[]> producer = producer(bootstrapServers)) {
            for (int i = 0; i < count; i++) {
                String key = "item-" + random.nextInt(keys);
                Long current = latest.get(key);
                long version;
                if (current != null && random.nextDouble() < STALE_FRACTION) {
                    version = 1 + random.nextLong(current);
                } else {
                    version = current == null ? 1 + random.nextInt(3) : current + 1 + random.nextInt(3);
                    latest.put(key, version);
                }
                String value = "{\"id\":\"" + key + "\",\"version\":" + version + ",\"amount\":" + amount(key, version)
                        + ",\"note\":\"bench item " + i + "\",\"tags\":[\"a\",\"b\"]}";
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        return new VersionedDataset(topic, count, latest);
    }

    /** A version's amount, a function of key and version so the final row's content is checkable. */
    static long amount(String key, long version) {
        return (key.hashCode() & 0xffff) * 1000L + version;
    }

    /** The job's properties: an upsert with a version guard, every column from the value. */
    static Map<String, String> jobSettings(String job, String topic, String group) {
        String prefix = "sluice.jobs." + job + ".";
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("sluice.payments.enabled", "false");
        settings.put(prefix + "topic", topic);
        settings.put(prefix + "group", group);
        settings.put(prefix + "table", TABLE);
        settings.put(prefix + "mode", "upsert");
        settings.put(prefix + "key", "id");
        settings.put(prefix + "columns.id", "/id");
        settings.put(prefix + "columns.version", "/version");
        settings.put(prefix + "columns.amount", "/amount");
        settings.put(prefix + "columns.note", "/note");
        settings.put(prefix + "version", "version");
        return settings;
    }

    static void createTable(BenchInfra infra) {
        execute(infra, "CREATE TABLE IF NOT EXISTS " + TABLE
                + " (id text PRIMARY KEY, version bigint NOT NULL, amount bigint NOT NULL, note text)");
        execute(infra, "TRUNCATE " + TABLE);
    }

    /** "exact" when the table holds every key once, with its highest version and that version's amount. */
    String check(BenchInfra infra) {
        Map<String, long[]> rows = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(infra.jdbcUrl(), infra.username(), infra.password());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, version, amount FROM " + TABLE)) {
            while (result.next()) {
                rows.put(result.getString(1), new long[] {result.getLong(2), result.getLong(3)});
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        if (rows.size() != expected.size()) {
            return "VIOLATED (" + rows.size() + " rows, expected " + expected.size() + ")";
        }
        for (var entry : expected.entrySet()) {
            long[] row = rows.get(entry.getKey());
            if (row == null || row[0] != entry.getValue() || row[1] != amount(entry.getKey(), entry.getValue())) {
                return "VIOLATED (" + entry.getKey() + ")";
            }
        }
        return "exact";
    }

    private static void execute(BenchInfra infra, String sql) {
        try (Connection connection = DriverManager.getConnection(infra.jdbcUrl(), infra.username(), infra.password());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Producer<byte[], byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // idempotent: a duplicated send would be an equal version, skipped anyway, but counts stay exact
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "134217728");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }
}
