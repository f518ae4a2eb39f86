package dev.sluice.jobs.avro;

import static dev.sluice.testinfra.PropertiesBinding.reported;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testinfra.PropertiesBinding;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class SchemaRegistryPropertiesTest {

    @Test
    void bindsTheDocumentedKeysWithTheirDefaults() {
        SchemaRegistryProperties properties = bind(Map.of(
                "sluice.schema-registry.url", "https://registry.example:8081",
                "sluice.schema-registry.username", "key",
                "sluice.schema-registry.password", "secret"));

        assertThat(properties.url()).isEqualTo(URI.create("https://registry.example:8081"));
        assertThat(properties.basicAuth()).isTrue();
        assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.cacheSize()).isEqualTo(1000);
        assertThat(properties.toString()).doesNotContain("secret");
    }

    @Test
    void bindsTheDocumentedEnvironmentVariables() {
        SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource("env", Map.of(
                "SLUICE_SCHEMA_REGISTRY_URL", "http://registry:8081",
                "SLUICE_SCHEMA_REGISTRY_USERNAME", "key",
                "SLUICE_SCHEMA_REGISTRY_PASSWORD", "secret"));
        SchemaRegistryProperties properties = new Binder(ConfigurationPropertySources.from(environment))
                .bindOrCreate("sluice.schema-registry", Bindable.of(SchemaRegistryProperties.class));

        assertThat(properties.url()).isEqualTo(URI.create("http://registry:8081"));
        assertThat(properties.password()).isEqualTo("secret");
    }

    @Test
    void bindsWithoutAUrlWhenNoJobReadsAvro() {
        SchemaRegistryProperties properties = bind(Map.of("sluice.schema-registry.cache-size", "10"));

        assertThat(properties.url()).isNull();
        assertThatThrownBy(() -> new SchemaRegistryClient(properties)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sluice.schema-registry.url must be set for a job with format: avro");
    }

    @Test
    void refusesValuesOutOfBoundsNamingTheProperty() {
        assertRefused("sluice.schema-registry.url", "registry:8081", "sluice.schema-registry.url must be an http or https URL with a host");
        assertRefused("sluice.schema-registry.url", "ftp://registry", "sluice.schema-registry.url must be an http or https URL with a host");
        assertRefused("sluice.schema-registry.password", "secret", "sluice.schema-registry.password is set but sluice.schema-registry.username is not");
        assertOutOfBounds("sluice.schema-registry.connect-timeout", "10ms", "must be longer than or equal to 100 millis");
        assertOutOfBounds("sluice.schema-registry.request-timeout", "1h", "must be shorter than or equal to 5 minutes");
        assertRefused("sluice.schema-registry.cache-size", "0", "sluice.schema-registry.cache-size must be between 1 and 1000000, was 0");
    }

    private static void assertRefused(String key, String value, String message) {
        assertThatThrownBy(() -> bind(Map.of(key, value))).isInstanceOf(BindException.class)
                .rootCause().isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    /** A constraint violation as start-up reports it: the key as it was set, and the bound. */
    private static void assertOutOfBounds(String key, String value, String reason) {
        assertThatThrownBy(() -> bind(Map.of(key, value))).isInstanceOf(BindException.class)
                .satisfies(failure -> assertThat(reported(failure)).contains("\"" + key + "\"").contains(reason));
    }

    private static SchemaRegistryProperties bind(Map<String, String> values) {
        return PropertiesBinding.bind("sluice.schema-registry", SchemaRegistryProperties.class, values);
    }
}
