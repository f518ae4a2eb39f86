package dev.sluice.jobs;

import dev.sluice.jobs.JobDefinition.Deletes;
import dev.sluice.jobs.JobDefinition.Mode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The declarative jobs, {@code sluice.jobs.<name>.*} (docs/JOBS.md). Binding checks each job on its
 * own (required properties, sources, key and version among the columns) and fails start-up naming
 * the property; the checks against the table come later, in {@link DeclarativeJobs}. The group and
 * dead-letter topic defaults are filled in here, so every reader sees them resolved.
 *
 * @param jobs by job name, in declaration order
 */
@Validated
@ConfigurationProperties("sluice")
public record JobsProperties(Map<String, JobDefinition> jobs) {

    public JobsProperties {
        Map<String, JobDefinition> resolved = new LinkedHashMap<>();
        if (jobs != null) {
            jobs.forEach((name, job) -> resolved.put(name, resolve(name, job)));
        }
        jobs = Collections.unmodifiableMap(resolved);
    }

    private static JobDefinition resolve(String name, JobDefinition job) {
        String prefix = "sluice.jobs." + name + ".";
        require(job.topic() != null && !job.topic().isBlank(), prefix + "topic is required");
        require(job.table() != null && !job.table().isBlank(), prefix + "table is required");
        require(!job.columns().isEmpty(), prefix + "columns must map at least one column to its source");
        job.columns().forEach((column, source) -> {
            try {
                Source.parse(source);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + "columns." + column + ": " + e.getMessage());
            }
        });
        boolean needsKey = job.mode() != Mode.INSERT || job.deletes() == Deletes.TOMBSTONE;
        require(!needsKey || !job.key().isEmpty(), prefix + "key is required for mode " + lower(job.mode())
                + (job.deletes() == Deletes.TOMBSTONE ? " and deletes tombstone" : "") + ": name the table's key columns");
        for (int i = 0; i < job.key().size(); i++) {
            String column = job.key().get(i);
            require(job.columns().containsKey(column), prefix + "key[" + i + "]: key column " + column
                    + " has no source in " + prefix + "columns");
            require(job.key().indexOf(column) == i, prefix + "key[" + i + "]: key column " + column + " is listed twice");
        }
        if (job.deletes() == Deletes.TOMBSTONE) {
            for (String column : job.key()) {
                require(Source.parse(job.columns().get(column)).fromKey(), prefix + "columns." + column
                        + ": deletes tombstone needs key column " + column + " from @key or @key/<pointer> (a tombstone has no value), was "
                        + job.columns().get(column));
            }
        }
        if (job.version() != null) {
            require(job.mode() != Mode.INSERT, prefix + "version applies to mode upsert or update, not insert");
            require(job.columns().containsKey(job.version()), prefix + "version: column " + job.version()
                    + " has no source in " + prefix + "columns");
            require(!job.key().contains(job.version()), prefix + "version: column " + job.version() + " is a key column");
        }
        String group = job.group() == null || job.group().isBlank() ? name : job.group();
        String deadLetters = job.deadLetterTopic() == null || job.deadLetterTopic().isBlank()
                ? job.topic() + ".DLT" : job.deadLetterTopic();
        require(!deadLetters.equals(job.topic()), prefix + "dead-letter-topic must differ from the topic");
        return new JobDefinition(job.topic(), group, deadLetters, job.format(), job.table(), job.mode(), job.key(),
                job.columns(), job.deletes(), job.version());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }
}
