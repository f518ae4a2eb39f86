package dev.sluice.jobs.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.Job;
import dev.sluice.ops.Curl;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.DeadLetterReader;
import dev.sluice.testinfra.DeadLetterReader.DeadLetter;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A {@code format: avro} job end to end: records encoded by Apache Avro in the Confluent wire
 * format, produced to the topic, their writer schema fetched from an in-test registry, landing in
 * the table with their types; an unknown schema id is dead-lettered, a registry answering 503 is
 * an outage (retried, nothing dead-lettered) and the records apply once it answers.
 */
@TestPropertySource(properties = {
    "sluice.jobs.avro-orders.topic=avro-orders",
    "sluice.jobs.avro-orders.format=avro",
    "sluice.jobs.avro-orders.table=shop.avro_orders",
    "sluice.jobs.avro-orders.mode=upsert",
    "sluice.jobs.avro-orders.key[0]=id",
    "sluice.jobs.avro-orders.columns.id=@key",
    "sluice.jobs.avro-orders.columns.amount=/amount",
    "sluice.jobs.avro-orders.columns.created_at=/createdAt",
    "sluice.jobs.avro-orders.columns.city=/customer/address/city"
})
class AvroJobIT extends IntegrationTest {

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "fields": [
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "createdAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                  {"name": "city", "type": "string"}]}}]}}
            ]}
            """);
    private static final RegistryServer REGISTRY;

    static {
        try {
            REGISTRY = RegistryServer.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Connection connection = DriverManager.getConnection(EmbeddedInfrastructure.jdbcUrl(), EmbeddedInfrastructure.username(), "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS shop");
            statement.execute("DROP TABLE IF EXISTS shop.avro_orders");
            statement.execute("CREATE TABLE shop.avro_orders (id text PRIMARY KEY, amount numeric(12,2), created_at timestamptz, city text)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry registry) {
        registry.add("sluice.schema-registry.url", () -> REGISTRY.url().toString());
    }

    @AfterAll
    static void stopRegistry() {
        REGISTRY.close();
    }

    @Test
    void avroRecordsLandWithTheirTypesAnUnknownSchemaIsDeadLetteredAndARegistryOutageIsRetried() throws Exception {
        Job<?> job = pipelines.find("avro-orders").orElseThrow().job();
        traffic.createTopics(2, job.topic(), job.deadLetterTopic());
        int known = REGISTRY.register(ORDER);
        int flaky = 50;
        REGISTRY.answer(flaky, 503, "{\"error_code\":50301,\"message\":\"unavailable\"}");
        traffic.send(job.topic(), "a-1", WireFormat.encode(known, ORDER, order("12.50", "2026-11-29T10:00:00.123Z", "Zürich")));
        traffic.send(job.topic(), "a-unknown", WireFormat.encode(999, ORDER, order("1.00", "2026-11-29T10:00:00Z", "x")));
        traffic.send(job.topic(), "a-flaky", WireFormat.encode(flaky, ORDER, order("7.05", "2026-11-30T00:00:00Z", "Bern")));
        traffic.flush();
        Curl.Result resumed = Curl.call("-u", "ops:test-ops-secret", "-X", "POST", "http://localhost:" + port + "/actuator/pipeline/resume");
        assertThat(resumed.status()).as(resumed.output()).isEqualTo(200);

        await(Duration.ofMinutes(1)).until(() -> REGISTRY.requests(flaky) >= 3);
        assertThat(count("a-flaky")).isZero();
        assertThat(letters(job)).extracting(AvroJobIT::key).doesNotContain("a-flaky");
        REGISTRY.answer(flaky, 200, "{\"schema\":" + new tools.jackson.databind.json.JsonMapper().writeValueAsString(ORDER.toString()) + "}");
        await(Duration.ofMinutes(1)).until(() -> ConsumerLag.of(bootstrapServers(), job.group(), job.topic()) == 0);

        assertThat(jdbc.queryForMap("SELECT amount::text AS amount, created_at = '2026-11-29T10:00:00.123Z' AS at, city "
                + "FROM shop.avro_orders WHERE id = 'a-1'")).isEqualTo(Map.of("amount", "12.50", "at", true, "city", "Zürich"));
        assertThat(jdbc.queryForMap("SELECT amount::text AS amount, city FROM shop.avro_orders WHERE id = 'a-flaky'"))
                .isEqualTo(Map.of("amount", "7.05", "city", "Bern"));
        assertThat(count("a-unknown")).isZero();
        List<DeadLetter> letters = letters(job);
        assertThat(letters).extracting(AvroJobIT::key).containsExactly("a-unknown");
        assertThat(letters.getFirst().reason()).isNotBlank();
        assertThat(letters.getFirst().headers().get("sluice.error.detail")).contains("999");
    }

    private static GenericRecord order(String amount, String createdAt, String city) {
        GenericRecord address = new GenericData.Record(ORDER.getField("customer").schema().getField("address").schema());
        address.put("city", city);
        GenericRecord customer = new GenericData.Record(ORDER.getField("customer").schema());
        customer.put("address", address);
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("amount", new BigDecimal(amount));
        order.put("createdAt", Instant.parse(createdAt));
        order.put("customer", customer);
        return order;
    }

    private long count(String id) {
        return jdbc.queryForObject("SELECT count(*) FROM shop.avro_orders WHERE id = ?", Long.class, id);
    }

    private List<DeadLetter> letters(Job<?> job) {
        return DeadLetterReader.readAll(bootstrapServers(), job.deadLetterTopic());
    }

    private static String key(DeadLetter letter) {
        return new String(letter.key(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
