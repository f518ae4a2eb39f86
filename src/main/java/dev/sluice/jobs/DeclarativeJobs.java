package dev.sluice.jobs;

import dev.sluice.jobs.JobDefinition.Format;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Turns the {@code sluice.jobs.*} definitions into the parts of engine jobs, each checked against
 * its table in the catalog first: a job that cannot run against its table fails start-up with a
 * {@link JobDefinitionException} naming the property at fault, before any record is read.
 */
public final class DeclarativeJobs {

    private DeclarativeJobs() {
    }

    /**
     * One {@link JobParts} per job, in declaration order.
     *
     * @param avro the reader for {@code format: avro} (runs in the job's process step), or null when
     *     none is configured: a job with {@code format: avro} then fails start-up
     * @param registry where the jobs' counters go ({@code sluice.job.stale}, {@code sluice.job.absent})
     * @throws JobDefinitionException for a job its table cannot take
     * @throws SQLException when the catalog cannot be read (the database is down)
     */
    public static List<JobParts> create(JobsProperties properties, DataSource dataSource, ValueReader avro, MeterRegistry registry)
            throws SQLException {
        List<JobParts> parts = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Map.Entry<String, JobDefinition> entry : properties.jobs().entrySet()) {
                parts.add(create(connection, entry.getKey(), entry.getValue(), avro, registry));
            }
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        }
        return parts;
    }

    static JobParts create(Connection connection, String name, JobDefinition definition, ValueReader avro, MeterRegistry registry)
            throws SQLException {
        JobMapping mapping = mapping(connection, name, definition);
        boolean isAvro = definition.format() == Format.AVRO;
        if (isAvro && avro == null) {
            throw new JobDefinitionException("sluice.jobs." + name + ".format",
                    "format avro needs a schema registry: set sluice.schema-registry.url");
        }
        JobDecoder decoder = new JobDecoder(mapping, isAvro ? avro : new JsonValueReader(), isAvro);
        return new JobParts(name, definition.topic(), definition.group(), definition.deadLetterTopic(), decoder, decoder.step(),
                new JobWriter(mapping, registry));
    }

    /** The job's mapping, checked against the catalog as {@code connection} sees it. */
    static JobMapping mapping(Connection connection, String name, JobDefinition definition) throws SQLException {
        Catalog.Table table;
        try {
            table = Catalog.read(connection, definition.table());
        } catch (SQLException e) {
            if ("42602".equals(e.getSQLState()) || "3F000".equals(e.getSQLState()) || "42601".equals(e.getSQLState())) {
                // an improper name (too many dots, bad quoting) or an unknown schema: the table does not exist
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
                throw new JobDefinitionException("sluice.jobs." + name + ".table", "table " + definition.table()
                        + " does not exist (" + e.getMessage() + ")");
            }
            throw e;
        }
        return JobMapping.of(name, definition, table);
    }
}
