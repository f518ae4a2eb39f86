package dev.sluice.jobs.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
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
        assertRefused("sluice.schema-registry.connect-timeout", "10ms", "sluice.schema-registry.connect-timeout must be between PT0.1S and PT1M, was PT0.01S");
        assertRefused("sluice.schema-registry.request-timeout", "1h", "sluice.schema-registry.request-timeout must be between PT0.1S and PT5M, was PT1H");
        assertRefused("sluice.schema-registry.cache-size", "0", "sluice.schema-registry.cache-size must be between 1 and 1000000, was 0");
    }

    private static void assertRefused(String key, String value, String message) {
        assertThatThrownBy(() -> bind(Map.of(key, value))).isInstanceOf(BindException.class)
                .rootCause().isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    private static SchemaRegistryProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("sluice.schema-registry", Bindable.of(SchemaRegistryProperties.class));
    }
}
