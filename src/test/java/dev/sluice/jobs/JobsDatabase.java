package dev.sluice.jobs;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RecordHeader;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A database of its own on the embedded PostgreSQL server for one test class, and the way these
 * tests run a declarative job without Kafka: bind {@code sluice.jobs.*} from properties, build the
 * parts against the real catalog, decode records and write them in one committed transaction.
 */
final class JobsDatabase {

    final DataSource dataSource;
    final JdbcTemplate jdbc;

    JobsDatabase(String name) {
        String database = name + "_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try (Connection connection = EmbeddedInfrastructure.postgres().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        this.dataSource = EmbeddedInfrastructure.postgres().getDatabase("postgres", database);
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** {@code sluice.jobs.*} bound from {@code key=value} lines (lists as {@code key[0]=…}), as Boot binds them. */
    static JobsProperties bind(String... properties) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String property : properties) {
            int equals = property.indexOf('=');
            map.put(property.substring(0, equals), property.substring(equals + 1));
        }
        return new Binder(new MapConfigurationPropertySource(map)).bindOrCreate("sluice", JobsProperties.class);
    }

    /** The parts of the only job in {@code properties}, checked against this database. */
    JobParts job(JobsProperties properties, MeterRegistry registry) throws SQLException {
        return DeclarativeJobs.create(properties, dataSource, null, registry).getFirst();
    }

    JobParts job(String... properties) throws SQLException {
        return job(bind(properties), new SimpleMeterRegistry());
    }

    /** A record on partition 0 of {@code topic} at {@code offset}; key and value as UTF-8 (null stays null). */
    static InboundRecord record(String topic, long offset, String key, String value, RecordHeader... headers) {
        return new InboundRecord(new RecordRef(new PartitionId(topic, 0), 1, offset, 100),
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), 1_767_225_600_000L + offset, List.of(headers));
    }

    /**
     * Decodes each record (decoder then step) and writes the accepted ones as one batch in one
     * committed transaction: per record, its decode rejection or its sink outcome.
     */
    static List<Object> run(JobsDatabase database, JobParts job, List<InboundRecord> records) throws Exception {
        List<Object> results = new ArrayList<>();
        List<SinkItem<JobRow>> batch = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (InboundRecord record : records) {
            Decoded<JobRow> decoded = job.decoder().decode(record.key(), record.value());
            if (decoded instanceof Decoded.Accepted<JobRow>(JobRow row)) {
                positions.add(results.size());
                results.add(null);
                batch.add(new SinkItem<>(record, job.step().apply(row)));
            } else {
                results.add(decoded);
            }
        }
        List<SinkOutcome> outcomes = write(database, job, batch);
        for (int i = 0; i < outcomes.size(); i++) {
            results.set(positions.get(i), outcomes.get(i));
        }
        return results;
    }

    static List<SinkOutcome> write(JobsDatabase database, JobParts job, List<SinkItem<JobRow>> batch) throws SQLException {
        try (Connection connection = database.dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<SinkOutcome> outcomes = job.writer().write(connection, batch);
                connection.commit();
                return outcomes;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }
}
