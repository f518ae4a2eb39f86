package dev.sluice.deploy;

import static dev.sluice.deploy.RenderedChart.asMap;
import static dev.sluice.deploy.RenderedChart.list;
import static dev.sluice.deploy.RenderedChart.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml, parsed: the services, their order of start and their wiring to each other. */
class DockerComposeTest {

    static final Path FILE = Path.of("docker-compose.yml");
    private static final ApplicationSettings APP = ApplicationSettings.load();

    @Test
    void runsKafkaPostgresSluiceAndADemoProducer() throws IOException {
        assertThat(map(compose(), "services")).containsKeys("kafka", "postgres", "sluice", "demo-producer");
        assertThat(service(compose(), "kafka").get("image").toString()).startsWith("apache/kafka:");
        assertThat(service(compose(), "postgres")).containsEntry("image", "postgres:17");
        assertThat(service(compose(), "sluice")).containsKey("build");
    }

    @Test
    void longRunningServicesHaveHealthChecks() throws IOException {
        for (String name : List.of("kafka", "postgres", "sluice")) {
            assertThat(list(map(service(compose(), name), "healthcheck"), "test")).as(name).isNotEmpty();
        }
        assertThat(list(map(service(compose(), "sluice"), "healthcheck"), "test").toString())
                .contains("localhost:" + APP.managementPort() + APP.healthGroupPath("readiness"));
    }

    @Test
    void sluiceStartsOnlyAfterKafkaAndPostgresAreHealthy() throws IOException {
        Map<String, Object> dependsOn = map(service(compose(), "sluice"), "depends_on");

        assertThat(map(dependsOn, "kafka")).containsEntry("condition", "service_healthy");
        assertThat(map(dependsOn, "postgres")).containsEntry("condition", "service_healthy");
        assertThat(map(service(compose(), "demo-producer"), "depends_on", "kafka"))
                .containsEntry("condition", "service_healthy");
    }

    @Test
    void sluiceConnectsThroughSpringBootsOwnEnvironmentVariables() throws IOException {
        Map<String, Object> environment = map(service(compose(), "sluice"), "environment");

        assertThat(environment)
                .containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/sluice")
                .containsKeys("SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD", "SPRING_KAFKA_CONSUMER_GROUP_ID")
                .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
        Map<String, Object> postgres = map(service(compose(), "postgres"), "environment");
        assertThat(environment.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
        assertThat(environment.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(postgres.get("POSTGRES_USER"));
    }

    @Test
    void kafkaAdvertisesAListenerReachableInsideTheNetwork() throws IOException {
        Map<String, Object> kafka = map(service(compose(), "kafka"), "environment");

        assertThat(kafka.get("KAFKA_PROCESS_ROLES").toString()).contains("broker").contains("controller");
        assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS").toString()).contains("//kafka:9092");
        assertThat(kafka).containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS");
    }

    @Test
    void opsPasswordComesFromAnEnvFileNotTheComposeFile() throws IOException {
        Map<String, Object> sluice = service(compose(), "sluice");

        assertThat(list(sluice, "env_file")).anySatisfy(entry -> assertThat(asMap(entry)).containsEntry("path", ".env.example"));
        assertThat(DeployConfigurationKeysTest.envFileNames(Path.of(".env.example"))).contains("SLUICE_OPS_PASSWORD");
        assertThat(map(sluice, "environment")).doesNotContainKey("SLUICE_OPS_PASSWORD");
    }

    @Test
    void managementPortIsPublished() throws IOException {
        assertThat(list(service(compose(), "sluice"), "ports"))
                .map(Object::toString)
                .anyMatch(port -> port.endsWith(":" + APP.managementPort()));
    }

    @Test
    void everyPublishedPortListensOnLoopbackOnly() throws IOException {
        Map<String, Object> services = map(compose(), "services");
        List<String> ports = services.values().stream()
                .map(RenderedChart::asMap)
                .filter(service -> service.containsKey("ports"))
                .flatMap(service -> list(service, "ports").stream().map(Object::toString))
                .toList();

        assertThat(ports).isNotEmpty().allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
    }

    @Test
    void envExampleShipsNoWorkingOpsPassword() throws IOException {
        List<String> assignments = Files.readAllLines(Path.of(".env.example")).stream()
                .filter(line -> line.startsWith("SLUICE_OPS_PASSWORD="))
                .toList();

        assertThat(assignments).containsExactly("SLUICE_OPS_PASSWORD=");
    }

    @Test
    void demoProducerSendsContractPaymentsKeyedByAccount() throws IOException {
        Map<String, Object> producer = service(compose(), "demo-producer");
        String script = String.join("\n", list(producer, "command").stream().map(Object::toString).toList());

        assertThat(script)
                .contains("/opt/kafka/bin/kafka-console-producer.sh")
                .contains("--topic payments")
                .contains("parse.key=true")
                .contains("key.separator=|")
                .contains("\"paymentId\"", "\"account\"", "\"amountCents\"", "\"currency\"", "\"occurredAt\"");
        assertThat(producer).containsEntry("restart", "no");
    }

    static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(FILE));
    }

    static Map<String, Object> service(Map<String, Object> compose, String name) {
        return map(compose, "services", name);
    }
}
