package dev.sluice.jobs;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One declarative job, bound from {@code sluice.jobs.<name>} (reference: docs/JOBS.md). Checked
 * against itself by {@link JobsProperties}, against the database by {@link DeclarativeJobs}.
 *
 * @param topic the topic the job reads (required)
 * @param group its consumer group (default: the job's name)
 * @param deadLetterTopic where its rejected records go (default: {@code <topic>.DLT})
 * @param format how a value is read: {@code json} (default) or {@code avro} (Confluent wire format)
 * @param table the table written, optionally schema-qualified ({@code shop.orders}); unqualified
 *     names resolve on the connection's {@code search_path}
 * @param mode {@code insert} (default: a key that exists is refused), {@code upsert} or {@code update}
 *     (a key without a row changes nothing)
 * @param key the table's key columns, a primary key or unique index; required for upsert, update
 *     and tombstones
 * @param columns column name to its source ({@link Source}); at least one
 * @param deletes {@code none} (default: a null value is refused) or {@code tombstone} (a null value
 *     deletes the key's row)
 * @param version optional orderable column: a row is written only over an older stored version
 */
public record JobDefinition(
        String topic,
        String group,
        String deadLetterTopic,
        @DefaultValue("json") Format format,
        String table,
        @DefaultValue("insert") Mode mode,
        List<String> key,
        Map<String, String> columns,
        @DefaultValue("none") Deletes deletes,
        String version) {

    public JobDefinition {
        key = key == null ? List.of() : List.copyOf(key);
        columns = columns == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
        format = format == null ? Format.JSON : format;
        mode = mode == null ? Mode.INSERT : mode;
        deletes = deletes == null ? Deletes.NONE : deletes;
    }

    /** How a record value is read into a tree. */
    public enum Format { JSON, AVRO }

    /** What a record does to its key's row. */
    public enum Mode { INSERT, UPSERT, UPDATE }

    /** What a null value (a tombstone) does. */
    public enum Deletes { NONE, TOMBSTONE }
}
