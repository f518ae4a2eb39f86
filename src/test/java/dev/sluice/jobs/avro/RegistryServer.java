package dev.sluice.jobs.avro;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import tools.jackson.databind.json.JsonMapper;

/**
 * The part of a Confluent schema registry Sluice uses, in the test: {@code GET
 * [prefix]/schemas/ids/{id}} answering {@code {"schema":"..."}} for a registered schema and the
 * registry's 404 ({@code error_code 40403}) otherwise. Counts requests per id, keeps each
 * request's {@code Authorization} header, and can hold requests on a gate until the test opens it.
 */
final class RegistryServer implements AutoCloseable {

    private static final Pattern PATH = Pattern.compile(".*/schemas/ids/(\\d+)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final Map<Integer, Answer> answers = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    /** Set by the test before requests arrive; null: answer at once. */
    private volatile CountDownLatch gate;
    /** Counted down by each request that reached the gate. */
    private volatile CountDownLatch held = new CountDownLatch(0);
    /** Whether the gate holds a request after its headers and half its body (else before any answer). */
    private volatile boolean midBody;

    private RegistryServer(HttpServer server) {
        this.server = server;
    }

    static RegistryServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        RegistryServer registry = new RegistryServer(server);
        server.createContext("/", registry::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return registry;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Registers {@code schema} under a new id, as the registry answers it (schemaType absent). */
    int register(Schema schema) {
        int id = nextId.getAndIncrement();
        answer(id, 200, JSON.createObjectNode().put("schema", schema.toString()).toString());
        return id;
    }

    void answer(int id, int status, String body) {
        answers.put(id, new Answer(status, body));
    }

    int requests(int id) {
        AtomicInteger count = requests.get(id);
        return count == null ? 0 : count.get();
    }

    List<String> authorizations() {
        return authorizations;
    }

    /** Holds every later request until {@link #release()}; {@link #held()} counts the first {@code arrivals} down. */
    void hold(int arrivals) {
        held = new CountDownLatch(arrivals);
        gate = new CountDownLatch(1);
    }

    /** As {@link #hold}, but each held request has sent its headers and half its body. */
    void holdMidBody(int arrivals) {
        midBody = true;
        hold(arrivals);
    }

    CountDownLatch held() {
        return held;
    }

    void release() {
        CountDownLatch current = gate;
        if (current != null) {
            current.countDown();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
            if (!"GET".equals(exchange.getRequestMethod()) || !path.matches()) {
                send(exchange, new Answer(405, "{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}"));
                return;
            }
            int id = Integer.parseInt(path.group(1));
            requests.computeIfAbsent(id, any -> new AtomicInteger()).incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "" : authorization);
            Answer answer = answers.getOrDefault(id, new Answer(404, "{\"error_code\":40403,\"message\":\"Schema " + id + " not found\"}"));
            CountDownLatch current = gate;
            if (current != null && midBody) {
                sendHalfThenWait(exchange, answer, current);
                return;
            }
            if (current != null) {
                held.countDown();
                current.await();
            }
            send(exchange, answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendHalfThenWait(HttpExchange exchange, Answer answer, CountDownLatch current) throws IOException, InterruptedException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length);
        OutputStream out = exchange.getResponseBody();
        out.write(body, 0, body.length / 2);
        out.flush();
        held.countDown();
        current.await();
        out.write(body, body.length / 2, body.length - body.length / 2);
        out.close();
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
