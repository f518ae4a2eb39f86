package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceApplication;
import dev.sluice.pipeline.FlowProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A {@code sluice.*} key or {@code SLUICE_*} variable that binds to nothing fails start-up, naming it and the nearest known key. */
class UnknownKeysTest {

    /** Every Sluice properties record, found the way the application finds them. */
    @Configuration(proxyBeanMethods = false)
    @ConfigurationPropertiesScan("dev.sluice")
    static class Scanned {
    }

    /** Shapes the application's records do not have yet: a map of jobs, a list, a nested record. */
    record Sample(Map<String, Job> jobs, List<String> names, Nested nested, Duration timeout) {
        record Job(String topic) {
        }

        record Nested(int depth) {
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Scanned.class, UnknownKeys.class);

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aMisspeltKeyOnTheCommandLineFailsTheApplicationsStartupNamingItAndTheNearestKey(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(SluiceApplication.class)
                .web(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run("--sluice.flow.max-in-fligth=5"))
                .hasMessageContaining("sluice.flow.max-in-fligth (from commandLineArgs)")
                .hasMessageContaining("did you mean sluice.flow.max-in-flight?");
        assertThat(output).contains("APPLICATION FAILED TO START",
                "    sluice.flow.max-in-fligth (from commandLineArgs): did you mean sluice.flow.max-in-flight?");
    }

    @Test
    void everyUnknownKeyIsNamedWithItsSourceAndNearestKey() {
        runner.withPropertyValues("sluice.flwo.max-in-flight=5", "sluice.shutdown.drain-dedline=10s",
                        "sluice.flow.window.extra=1", "sluice.flow=5")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasMessageContaining("sluice.flow (from test): did you mean sluice.flow.window?")
                            .hasMessageContaining("sluice.flow.window.extra (from test): did you mean sluice.flow.window?")
                            .hasMessageContaining("sluice.flwo.max-in-flight (from test): did you mean sluice.flow.max-in-flight?")
                            .hasMessageContaining("sluice.shutdown.drain-dedline (from test): did you mean sluice.shutdown.drain-deadline?");
                });
    }

    @Test
    void anUnknownEnvironmentVariableFailsStartupNamingTheNearestVariable() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources()
                        .addFirst(variables(Map.of("SLUICE_FLOW_MAX_INFLIGHTS", "5"))))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasMessageContaining(
                            "SLUICE_FLOW_MAX_INFLIGHTS (from test-environment): did you mean SLUICE_FLOW_MAX_IN_FLIGHT (sluice.flow.max-in-flight)?");
                });
    }

    @Test
    void aVariableInAFormBootDoesNotBindIsUnknown() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources()
                        .addFirst(variables(Map.of("SLUICE_FLOW_MAXINFLIGHT", "5"))))
                .run(context -> assertThat(context.getStartupFailure()).hasMessageContaining(
                        "SLUICE_FLOW_MAXINFLIGHT (from test-environment): did you mean SLUICE_FLOW_MAX_IN_FLIGHT"));
    }

    /** Boot's relaxed binding ignores dashes within an element: this key is not misspelt, it sets max-in-flight. */
    @Test
    void aKeyDifferingOnlyInDashesBindsAndIsAccepted() {
        runner.withPropertyValues("sluice.flow.max-inflight=5").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(FlowProperties.class).maxInFlight()).isEqualTo(5);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sluice.flow.max-in-flight=5", "sluice.flow.maxInFlight=5", "sluice.flow.max_in_flight=5",
        "SLUICE.FLOW.MAX-IN-FLIGHT=5", "sluice.source.dead-letter-topic=x", "sluice.ops.password=x", "sluice.test.infra=embedded",
        "demo.report-seconds=5", "spring.kafka.bootstrap-servers=localhost:1", "sluicex.anything=1", "SLUICE_OPS_PASSWORD=x"})
    void acceptsKnownKeysInEveryRelaxedFormAndLeavesOtherKeysAlone(String setting) {
        runner.withPropertyValues(setting).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void acceptsKnownVariablesAndTheServiceLinksKubernetesInjects() {
        Map<String, Object> variables = Map.of("SLUICE_FLOW_MAX_IN_FLIGHT", "5", "sluice_batch_max_size", "5",
                "SLUICE_OPS_PASSWORD", "x", "SLUICE_SERVICE_HOST", "10.0.0.1", "SLUICE_SERVICE_PORT_HTTP", "8081",
                "SLUICE_PORT", "tcp://10.0.0.1:8081", "SLUICE_PORT_8081_TCP_ADDR", "10.0.0.1", "SLUICE_OPS_SERVICE_PORT", "8081",
                "SPRING_KAFKA_BOOTSTRAP_SERVERS", "localhost:1", "SLUICEWARE_HOME", "/opt");
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(variables(variables)))
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aMapOfRecordsAcceptsAnyNameThenTheRecordsComponentsAListIndexesAndANestedRecordItsComponents() {
        KnownKeys known = KnownKeys.of(Map.of("sluice.sample", Sample.class));

        assertThat(known.keys()).containsExactly("sluice.sample.jobs", "sluice.sample.names", "sluice.sample.nested.depth",
                "sluice.sample.timeout");
        assertThat(Stream.of("sluice.sample.jobs.ledger.topic", "sluice.sample.jobs[any].topic", "sluice.sample.names[0]",
                "sluice.sample.names", "sluice.sample.nested.depth", "sluice.sample.timeout"))
                .allMatch(key -> known.knows(ConfigurationPropertyName.adapt(key, '.')));
        assertThat(Stream.of("sluice.sample.jobs.ledger.tpoic", "sluice.sample.jobs.ledger", "sluice.sample.jobs.any.thing.below",
                "sluice.sample.names.first", "sluice.sample.nested", "sluice.sample.nested.dept",
                "sluice.sample.timeout.seconds", "sluice.sample"))
                .noneMatch(key -> known.knows(ConfigurationPropertyName.adapt(key, '.')));
        assertThat(known.knowsEnvironmentVariable("SLUICE_SAMPLE_JOBS_LEDGER_TOPIC")).isTrue();
        assertThat(known.knowsEnvironmentVariable("SLUICE_SAMPLE_NAMES_0")).isTrue();
        assertThat(known.knowsEnvironmentVariable("SLUICE_SAMPLE_NESTED_DEPTH")).isTrue();
        assertThat(known.knowsEnvironmentVariable("SLUICE_SAMPLE_NESTED_DEPT")).isFalse();
        assertThat(known.knowsEnvironmentVariable("SLUICE_SAMPLE_NESTEDDEPTH")).isFalse();
        assertThat(known.nearest("sluice.sample.job.ledger.topic", false)).isEqualTo("sluice.sample.jobs.ledger.topic");
        assertThat(known.nearest("sluice.sample.jobs.ledger.tpoic", false)).isEqualTo("sluice.sample.jobs.ledger.topic");
    }

    @Test
    void aDeclarativeJobsKnownPropertiesAndAnyColumnAreAcceptedAndAMisspeltPropertyIsNamed() {
        runner.withPropertyValues("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
                        "sluice.jobs.orders.mode=upsert", "sluice.jobs.orders.key[0]=id", "sluice.jobs.orders.columns.id=@key",
                        "sluice.jobs.orders.columns.any_column=/any", "sluice.jobs.orders.deletes=tombstone",
                        "sluice.jobs.orders.group=g", "sluice.jobs.orders.format=json", "sluice.jobs.orders.dead-letter-topic=d",
                        "sluice.jobs.orders.columns.updated_at=/updatedAt", "sluice.jobs.orders.version=updated_at")
                .run(context -> assertThat(context).hasNotFailed());
        runner.withPropertyValues("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
                        "sluice.jobs.orders.columns.id=@key", "sluice.jobs.orders.tpoic=orders")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasMessageContaining("sluice.jobs.orders.tpoic (from test): did you mean sluice.jobs.orders.topic?");
                });
    }

    @Test
    void theKeysKnownAtRuntimeAreTheConfigurationProcessorsSluiceKeys() throws IOException {
        Set<String> metadata = new HashSet<>();
        try (InputStream in = Files.newInputStream(Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json"))) {
            for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
                metadata.add(property.path("name").asString());
            }
        }
        runner.run(context -> {
            List<String> known = KnownKeys.of(UnknownKeys.sluiceProperties(context.getBeanFactory())).keys();

            assertThat(known).filteredOn(key -> !key.startsWith("sluice.test.")).containsExactlyInAnyOrderElementsOf(
                    metadata.stream().filter(key -> key.startsWith("sluice.")).toList());
        });
    }

    @Test
    void everyKeyInTheDocumentedConfigurationTablesIsKnown() throws IOException {
        List<String> documented = new ArrayList<>();
        List<Path> documents = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).forEach(documents::add);
        }
        for (Path document : documents) {
            boolean inTable = false;
            for (String line : Files.readAllLines(document)) {
                inTable = line.startsWith("| property |") || inTable && line.startsWith("|");
                if (inTable && line.startsWith("| `sluice.")) {
                    documented.addAll(tableKeys(line.substring(2, line.indexOf(" |", 2))));
                }
            }
        }
        runner.run(context -> {
            KnownKeys known = KnownKeys.of(UnknownKeys.sluiceProperties(context.getBeanFactory()));

            assertThat(documented).hasSizeGreaterThan(30)
                    .filteredOn(key -> !known.knows(ConfigurationPropertyName.adapt(key, '.')))
                    .isEmpty();
        });
    }

    /** {@code `sluice.retry.initial-backoff` / `max-backoff`} → sluice.retry.initial-backoff, sluice.retry.max-backoff. */
    private static List<String> tableKeys(String cell) {
        List<String> keys = new ArrayList<>();
        String parent = null;
        for (String part : cell.split(" / ")) {
            String key = part.strip().replace("`", "");
            if (parent == null) {
                parent = key.substring(0, key.lastIndexOf('.') + 1);
                keys.add(key);
            } else {
                keys.add(parent + key);
            }
        }
        return keys;
    }

    private static SystemEnvironmentPropertySource variables(Map<String, Object> variables) {
        return new SystemEnvironmentPropertySource("test-environment", variables);
    }
}
