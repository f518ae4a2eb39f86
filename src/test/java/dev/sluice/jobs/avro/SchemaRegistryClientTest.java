package dev.sluice.jobs.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sluice.pipeline.TransientProcessingException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {

    private static final Schema PAYMENT = new Schema.Parser().parse("""
            {"type": "record", "name": "Payment", "namespace": "dev.sluice.test", "fields": [
              {"name": "id", "type": "string"}, {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}}]}""");
    private static final Schema REFUND = new Schema.Parser().parse("""
            {"type": "record", "name": "Refund", "fields": [{"name": "id", "type": "string"}]}""");

    private RegistryServer server;
    private final List<SchemaRegistryClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = RegistryServer.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(SchemaRegistryClient::close);
        server.close();
    }

    @Test
    void fetchesTheWriterSchemaById() {
        int payment = server.register(PAYMENT);
        int refund = server.register(REFUND);
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));

        assertThat(client.schema(payment)).isEqualTo(PAYMENT);
        assertThat(client.schema(refund)).isEqualTo(REFUND);
    }

    @Test
    void keepsAPathPrefixOfTheUrl() {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(URI.create(server.url() + "/registry/")));

        assertThat(client.schema(id)).isEqualTo(PAYMENT);
    }

    @Test
    void asksTheRegistryOncePerId() {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));

        for (int i = 0; i < 5; i++) {
            assertThat(client.schema(id)).isEqualTo(PAYMENT);
        }

        assertThat(server.requests(id)).isEqualTo(1);
    }

    @Test
    void evictsTheLeastRecentlyUsedSchemaBeyondTheCacheSize() {
        int first = server.register(PAYMENT);
        int second = server.register(REFUND);
        int third = server.register(PAYMENT);
        SchemaRegistryClient client = client(properties(null, null, Duration.ofSeconds(10), 2));

        client.schema(first);
        client.schema(second);
        client.schema(first); // first is now the most recently used
        client.schema(third); // evicts second
        client.schema(first);
        client.schema(second);

        assertThat(server.requests(first)).isEqualTo(1);
        assertThat(server.requests(second)).isEqualTo(2);
        assertThat(server.requests(third)).isEqualTo(1);
        assertThat(client.cached()).isEqualTo(2);
    }

    @Test
    void concurrentCallersForOneIdShareOneFetch() throws Exception {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.hold(1);
        ConcurrentLinkedQueue<Schema> answers = new ConcurrentLinkedQueue<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            callers.add(Thread.startVirtualThread(() -> answers.add(client.schema(id))));
        }

        assertThat(server.held().await(10, TimeUnit.SECONDS)).isTrue();
        // every caller is parked: one on the held request, the others on its fetch
        await().atMost(Duration.ofSeconds(10)).until(() -> callers.stream()
                .allMatch(caller -> caller.getState() == Thread.State.WAITING || caller.getState() == Thread.State.TIMED_WAITING));
        server.release();
        for (Thread caller : callers) {
            assertThat(caller.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(answers).hasSize(8).containsOnly(PAYMENT);
        assertThat(server.requests(id)).isEqualTo(1);
    }

    @Test
    void sendsBasicAuthWhenAUsernameIsSet() {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(properties("ci-key", "s3cr:t é", Duration.ofSeconds(10), 1000));

        client.schema(id);

        String expected = "Basic " + Base64.getEncoder().encodeToString("ci-key:s3cr:t é".getBytes(StandardCharsets.UTF_8));
        assertThat(server.authorizations()).containsExactly(expected);
    }

    @Test
    void sendsNoAuthorizationWithoutAUsername() {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(properties(" ", null, Duration.ofSeconds(10), 1000));

        client.schema(id);

        assertThat(server.authorizations()).containsExactly("");
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsMalformedAndNamesTheId() {
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));

        assertThatThrownBy(() -> client.schema(42)).isInstanceOf(MalformedAvroException.class)
                .hasMessage("schema id 42 is not known to the schema registry at " + server.url()
                        + " (404: {\"error_code\":40403,\"message\":\"Schema 42 not found\"})");
    }

    @Test
    void aServerErrorIsTransientAndNotCached() {
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.answer(7, 500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");

        assertThatThrownBy(() -> client.schema(7)).isInstanceOf(TransientProcessingException.class)
                .hasMessageContaining("answered 500 for schema id 7")
                .hasMessageContaining("Error in the backend data store");

        server.answer(7, 200, "{\"schema\":" + quoted(REFUND.toString()) + "}");
        assertThat(client.schema(7)).isEqualTo(REFUND);
    }

    @Test
    void throttlingAndRefusedCredentialsAreTransient() {
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.answer(8, 429, "");
        server.answer(9, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");

        assertThatThrownBy(() -> client.schema(8)).isInstanceOf(TransientProcessingException.class).hasMessageContaining("answered 429");
        assertThatThrownBy(() -> client.schema(9)).isInstanceOf(TransientProcessingException.class)
                .hasMessageContaining("refused the credentials of sluice.schema-registry.username");
    }

    @Test
    void anUnreachableRegistryIsTransient() throws IOException {
        URI nobody;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(nobody));

        assertThatThrownBy(() -> client.schema(1)).isInstanceOf(TransientProcessingException.class)
                .hasMessageStartingWith("the schema registry at " + nobody + " cannot be reached for schema id 1: java.net.ConnectException");
    }

    @Test
    void aSlowRegistryIsBoundedByTheRequestTimeout() {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(properties(null, null, Duration.ofMillis(300), 1000));
        server.hold(1);

        long started = System.nanoTime();
        // the bound the test itself keeps if the client had none: the held request never ends by itself
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> client.schema(id)))
                .isInstanceOf(TransientProcessingException.class)
                .hasMessage("the schema registry at " + server.url() + " did not answer for schema id " + id
                        + " within PT0.3S (sluice.schema-registry.request-timeout)");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(server.held().getCount()).isZero();
        assertThat(waited).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
        server.release();
        assertThat(client.schema(id)).isEqualTo(PAYMENT);
    }

    @Test
    void aRegistryThatStallsInTheBodyIsBoundedByTheRequestTimeout() {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(properties(null, null, Duration.ofMillis(300), 1000));
        server.holdMidBody(1);

        long started = System.nanoTime();
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> client.schema(id)))
                .isInstanceOf(TransientProcessingException.class)
                .hasMessageContaining("did not answer for schema id " + id + " within PT0.3S");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(server.held().getCount()).isZero();
        assertThat(waited).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
    }

    @Test
    void anInterruptedLookupIsTransientAndKeepsTheInterrupt() throws Exception {
        int id = server.register(PAYMENT);
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.hold(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread caller = Thread.startVirtualThread(() -> {
            try {
                client.schema(id);
            } catch (RuntimeException e) {
                thrown.set(e);
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });

        assertThat(server.held().await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt(); // an abort cancelling the worker
        assertThat(caller.join(Duration.ofSeconds(5))).isTrue();

        assertThat(thrown.get()).isInstanceOf(TransientProcessingException.class).hasMessage("interrupted while fetching schema id " + id);
        assertThat(interrupted).isTrue();
    }

    @Test
    void acceptsAvroAndRefusesOtherSchemaTypes() {
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.answer(1, 200, "{\"schemaType\":\"AVRO\",\"schema\":" + quoted(PAYMENT.toString()) + "}");
        server.answer(2, 200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\"; message Payment {}\"}");
        server.answer(3, 200, "{\"schemaType\":\"JSON\",\"schema\":\"{\\\"type\\\":\\\"object\\\"}\"}");

        assertThat(client.schema(1)).isEqualTo(PAYMENT);
        assertThatThrownBy(() -> client.schema(2)).isInstanceOf(MalformedAvroException.class)
                .hasMessage("schema id 2 is a PROTOBUF schema, not Avro");
        assertThatThrownBy(() -> client.schema(3)).isInstanceOf(MalformedAvroException.class)
                .hasMessage("schema id 3 is a JSON schema, not Avro");
    }

    @Test
    void refusesASchemaThatDoesNotParseOrReferencesOthers() {
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.answer(1, 200, "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"X\\\"}\"}");
        server.answer(2, 200, "{\"schema\":" + quoted("{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"c\",\"type\":\"Customer\"}]}")
                + ",\"references\":[{\"name\":\"Customer\",\"subject\":\"customer-value\",\"version\":1}]}");

        assertThatThrownBy(() -> client.schema(1)).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("schema id 1 is not a valid Avro schema: ");
        assertThatThrownBy(() -> client.schema(2)).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("schema id 2 references other schemas (");
    }

    @Test
    void anAnswerThatIsNotTheRegistrysIsTransient() {
        SchemaRegistryClient client = client(SchemaRegistryProperties.of(server.url()));
        server.answer(1, 200, "<html><body>Welcome to nginx</body></html>");

        assertThatThrownBy(() -> client.schema(1)).isInstanceOf(TransientProcessingException.class)
                .hasMessageContaining("answered 200 without a schema for schema id 1")
                .hasMessageContaining("is sluice.schema-registry.url the registry's?");
    }

    private SchemaRegistryProperties properties(String username, String password, Duration requestTimeout, int cacheSize) {
        return new SchemaRegistryProperties(server.url(), username, password, Duration.ofSeconds(5), requestTimeout, cacheSize);
    }

    private SchemaRegistryClient client(SchemaRegistryProperties properties) {
        SchemaRegistryClient client = new SchemaRegistryClient(properties);
        clients.add(client);
        return client;
    }

    private static String quoted(String text) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(text);
    }
}
