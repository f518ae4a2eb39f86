package dev.sluice.testinfra;

import dev.sluice.engine.Pipelines;
import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.payments.Payment;
import dev.sluice.pipeline.PipelineControl;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: a full application context on real Kafka and real PostgreSQL
 * (see {@link InfraMode}), each test class with its own topics and consumer group. The pipeline
 * does not start by itself; a test creates its topics, then calls {@code pipeline.resume()}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "sluice.source.auto-startup=false",
    "sluice.ops.password=test-ops-secret",
    "spring.kafka.consumer.properties.session.timeout.ms=10000",
    "spring.kafka.consumer.properties.heartbeat.interval.ms=1000"
})
@Import(InfraConfiguration.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class IntegrationTest {

    private static final AtomicInteger CONTEXTS = new AtomicInteger();

    @Autowired
    protected Pipelines pipelines;
    /** The ledger job's pipeline; null in a context with {@code sluice.payments.enabled=false}. */
    protected KafkaPipeline<Payment> pipeline;
    @Autowired
    protected KafkaConnectionDetails kafka;
    @LocalServerPort
    protected int port;
    @Autowired
    protected DataSource dataSource;
    protected JdbcTemplate jdbc;
    protected Traffic traffic;

    /** Unique topic and group names for each test context. */
    @DynamicPropertySource
    static void uniqueNames(DynamicPropertyRegistry registry) {
        String suffix = Integer.toString(CONTEXTS.incrementAndGet()) + "-" + Long.toString(System.nanoTime() % 100_000);
        registry.add("sluice.source.topic", () -> "payments-" + suffix);
        registry.add("sluice.source.dead-letter-topic", () -> "payments-" + suffix + ".DLT");
        registry.add("spring.kafka.consumer.group-id", () -> "sluice-" + suffix);
    }

    @BeforeEach
    void connect() {
        pipeline = pipelines.find("ledger").isPresent() ? pipelines.pipeline("ledger") : null;
        jdbc = new JdbcTemplate(dataSource);
        traffic = new Traffic(bootstrapServers());
    }

    @AfterEach
    void stopPipeline() throws InterruptedException {
        for (PipelineControl job : pipelines.controls()) {
            job.abort();
            job.awaitStopped(Duration.ofSeconds(10));
        }
        traffic.close();
    }

    /** The body of a plain GET of {@code path} on this instance (the unsecured read endpoints and the scrape). */
    protected String getBody(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    protected String bootstrapServers() {
        return String.join(",", kafka.getBootstrapServers());
    }

    @Autowired
    private org.springframework.core.env.Environment environment;

    protected String topicName() {
        return environment.getRequiredProperty("sluice.source.topic");
    }

    protected String deadLetterTopic() {
        return environment.getRequiredProperty("sluice.source.dead-letter-topic");
    }

    protected String group() {
        return environment.getRequiredProperty("spring.kafka.consumer.group-id");
    }

    /** A name prefix for accounts and paymentIds unique to the running test. */
    protected static String prefix(String name) {
        return name.toLowerCase(Locale.ROOT) + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    protected static ConditionFactory await(Duration atMost) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100));
    }

    /** A byte-array producer on the test's broker, for records with headers of their own (close it). */
    protected KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }

    /** Waits until the group has committed everything on the topic. */
    protected void awaitNoLag(Duration atMost) {
        await(atMost).until(() -> ConsumerLag.of(bootstrapServers(), group(), topicName()) == 0);
    }
}
