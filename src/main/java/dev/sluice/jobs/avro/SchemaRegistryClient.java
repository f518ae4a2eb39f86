package dev.sluice.jobs.avro;

import dev.sluice.pipeline.TransientProcessingException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writer schemas by id from a Confluent-compatible schema registry ({@code GET
 * {url}/schemas/ids/{id}}, answered with {@code {"schema": "<the schema as a JSON string>"}}),
 * cached ({@link SchemaCache}).
 *
 * <p>Failures are split by whether waiting can help. The registry not answering now (no
 * connection, a timeout, 5xx, 429, 401/403 while credentials are being fixed, any answer that is
 * not the registry's) is a {@link TransientProcessingException}: the record is retried, never
 * dead-lettered because a dependency was down. An answer about the id itself (404: no such id; a
 * schema that is not Avro, does not parse, or references other subjects' schemas) is a
 * {@link MalformedAvroException}: that record cannot be decoded here.
 *
 * <p>Thread-safe; one instance per registry. Each lookup is bounded by
 * {@code sluice.schema-registry.request-timeout}, the connection by {@code connect-timeout}.
 */
public final class SchemaRegistryClient implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
    private static final int BODY_EXCERPT = 200;

    private final String base;
    private final String authorization;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final SchemaCache cache;

    public SchemaRegistryClient(SchemaRegistryProperties properties) {
        if (properties.url() == null) {
            throw new IllegalArgumentException("sluice.schema-registry.url must be set for a job with format: avro");
        }
        String url = properties.url().toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = properties.basicAuth() ? basic(properties.username(), properties.password()) : null;
        this.connectTimeout = properties.connectTimeout();
        this.requestTimeout = properties.requestTimeout();
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.cache = new SchemaCache(properties.cacheSize());
    }

    /**
     * The writer schema registered under {@code id}, from the cache or the registry.
     *
     * @throws TransientProcessingException the registry cannot answer now
     * @throws MalformedAvroException the registry does not know the id, or its schema is not usable Avro
     */
    public Schema schema(int id) {
        return cache.get(id, this::fetch);
    }

    /** Schemas held in the cache (metrics, tests). */
    int cached() {
        return cache.size();
    }

    @Override
    public void close() {
        http.close();
    }

    private Schema fetch(int id) {
        URI uri = URI.create(base + "/schemas/ids/" + Integer.toUnsignedString(id));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(requestTimeout).header("Accept", ACCEPT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = send(id, request.build());
        return switch (response.statusCode()) {
            case 200 -> parse(id, response.body());
            case 404 -> throw new MalformedAvroException("schema id " + id + " is not known to the schema registry at " + base
                    + " (404" + excerpt(response.body()) + ")");
            case 401, 403 -> throw new TransientProcessingException("the schema registry at " + base + " refused the credentials of "
                    + "sluice.schema-registry.username for schema id " + id + " (" + response.statusCode() + excerpt(response.body()) + ")", null);
            default -> throw new TransientProcessingException("the schema registry at " + base + " answered " + response.statusCode()
                    + " for schema id " + id + excerpt(response.body()), null);
        };
    }

    /**
     * Sends with the whole exchange bounded, body included: a blocking {@link HttpClient#send}
     * applies the request's timeout only until the headers arrive, and a registry that stalls
     * halfway through its answer would hold the worker for good.
     */
    private HttpResponse<String> send(int id, HttpRequest request) {
        CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            return exchange.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw slow(id, e);
        } catch (InterruptedException e) {
            // an abort: the worker's retry sees the flag and stops
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransientProcessingException("interrupted while fetching schema id " + id, e);
        } catch (ExecutionException e) {
            throw switch (e.getCause()) {
                case HttpConnectTimeoutException cause -> new TransientProcessingException("the schema registry at " + base
                        + " did not accept a connection for schema id " + id + " within " + connectTimeout
                        + " (sluice.schema-registry.connect-timeout)", cause);
                case HttpTimeoutException cause -> slow(id, cause);
                case Throwable cause -> new TransientProcessingException("the schema registry at " + base + " cannot be reached for schema id "
                        + id + ": " + cause, cause);
            };
        }
    }

    private TransientProcessingException slow(int id, Exception cause) {
        return new TransientProcessingException("the schema registry at " + base + " did not answer for schema id " + id + " within "
                + requestTimeout + " (sluice.schema-registry.request-timeout)", cause);
    }

    private Schema parse(int id, String body) {
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (JacksonException e) {
            answer = null;
        }
        JsonNode schema = answer == null ? null : answer.get("schema");
        if (schema == null || !schema.isString()) {
            // not the registry's answer: a wrong url (a proxy's page, another service) is fixed by
            // configuration, and every record would fail the same way, so the records wait
            throw new TransientProcessingException("the schema registry at " + base + " answered 200 without a schema for schema id " + id
                    + excerpt(body) + ": is sluice.schema-registry.url the registry's?", null);
        }
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asString())) {
            throw new MalformedAvroException("schema id " + id + " is a " + type.asString() + " schema, not Avro");
        }
        JsonNode references = answer.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new MalformedAvroException("schema id " + id + " references other schemas (" + references
                    + "), which Sluice does not resolve: register it self-contained");
        }
        try {
            return new Schema.Parser().parse(schema.asString());
        } catch (RuntimeException e) { // SchemaParseException, AvroTypeException for a bad default
            throw new MalformedAvroException("schema id " + id + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String flat = body.strip().replaceAll("\\s+", " ");
        return ": " + (flat.length() > BODY_EXCERPT ? flat.substring(0, BODY_EXCERPT) + "…" : flat);
    }

    private static String basic(String username, String password) {
        String credentials = username + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }
}
