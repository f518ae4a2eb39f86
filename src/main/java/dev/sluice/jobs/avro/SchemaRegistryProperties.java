package dev.sluice.jobs.avro;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the writer schemas of {@code format: avro} jobs come from: a Confluent-compatible schema
 * registry (Confluent Schema Registry, Redpanda, Karapace, Apicurio's compatibility API).
 *
 * @param url the registry's base URL, e.g. {@code http://registry:8081} (a path prefix is kept);
 *     unset when no job reads Avro
 * @param username basic-auth user (Confluent Cloud: the API key); no {@code Authorization} header
 *     when unset or blank
 * @param password basic-auth password (Confluent Cloud: the API secret)
 * @param connectTimeout longest wait for a connection to the registry (default 5s)
 * @param requestTimeout longest wait for one schema lookup, connection included (default 10s); a
 *     lookup that takes longer is retried as an outage, the record is never dead-lettered for it
 * @param cacheSize schemas kept by id (default 1000: a schema id never changes its schema, so a
 *     cached one is used until it is evicted, least recently used first; a topic rarely has more
 *     than a few dozen writer schemas alive)
 */
@Validated
@ConfigurationProperties("sluice.schema-registry")
public record SchemaRegistryProperties(
        URI url,
        String username,
        String password,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 1) Duration connectTimeout,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 5) Duration requestTimeout,
        @DefaultValue("1000") int cacheSize) {

    static final int MAX_CACHE_SIZE = 1_000_000;

    public SchemaRegistryProperties {
        if (url != null && (!url.isAbsolute() || url.getHost() == null
                || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme())))) {
            throw new IllegalArgumentException("sluice.schema-registry.url must be an http or https URL with a host, was " + url);
        }
        if (password != null && !password.isEmpty() && !hasUsername(username)) {
            throw new IllegalArgumentException("sluice.schema-registry.password is set but sluice.schema-registry.username is not");
        }
        if (cacheSize < 1 || cacheSize > MAX_CACHE_SIZE) {
            throw new IllegalArgumentException("sluice.schema-registry.cache-size must be between 1 and " + MAX_CACHE_SIZE + ", was " + cacheSize);
        }
    }

    /** The registry at {@code url} with the defaults (tests and tools that do not bind properties). */
    public static SchemaRegistryProperties of(URI url) {
        return new SchemaRegistryProperties(url, null, null, Duration.ofSeconds(5), Duration.ofSeconds(10), 1000);
    }

    /** Whether requests carry basic auth. */
    boolean basicAuth() {
        return hasUsername(username);
    }

    private static boolean hasUsername(String username) {
        return username != null && !username.isBlank();
    }

    /** The password is not printed: the record's string form ends up in logs and failure reports. */
    @Override
    public String toString() {
        return "SchemaRegistryProperties[url=" + url + ", username=" + username + ", password=" + (password == null ? null : "******")
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + ", cacheSize=" + cacheSize + "]";
    }
}
