package dev.sluice.jobs.avro;

import dev.sluice.pipeline.TransientProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import org.apache.avro.Schema;

/**
 * Writer schemas by id, at most {@code capacity} of them, least recently used evicted first. A
 * schema id never changes its schema, so an entry stays valid until evicted; failures are not
 * cached (a 404 may be a registry replica that has not seen the id yet). Concurrent callers for an
 * id that is not cached share one fetch: the first fetches, the others wait for its outcome.
 * Thread-safe.
 */
final class SchemaCache {

    /** Guarded by {@code this}: access-ordered, so the eldest entry is the least recently used. */
    private final Map<Integer, Schema> schemas;

    /** Fetches under way by id; an entry lives from the first caller's miss until its fetch ends. */
    private final ConcurrentHashMap<Integer, CompletableFuture<Schema>> fetching = new ConcurrentHashMap<>();

    SchemaCache(int capacity) {
        this.schemas = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Schema> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cached schema for {@code id}, or the one {@code fetch} returns (cached then); fetch's exceptions pass through. */
    Schema get(int id, IntFunction<Schema> fetch) {
        Schema cached = cached(id);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<Schema> mine = new CompletableFuture<>();
        CompletableFuture<Schema> theirs = fetching.putIfAbsent(id, mine);
        if (theirs != null) {
            return await(id, theirs);
        }
        try {
            // a fetch that finished between the miss and the claim has cached its schema
            Schema schema = cached(id);
            if (schema == null) {
                schema = fetch.apply(id);
                synchronized (this) {
                    schemas.put(id, schema);
                }
            }
            mine.complete(schema);
            return schema;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            fetching.remove(id, mine);
        }
    }

    synchronized int size() {
        return schemas.size();
    }

    private synchronized Schema cached(int id) {
        return schemas.get(id);
    }

    private static Schema await(int id, CompletableFuture<Schema> fetch) {
        try {
            return fetch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientProcessingException("interrupted while waiting for schema id " + id, e);
        } catch (ExecutionException e) {
            // the fetching caller's exception, as it saw it: same type, same reason
            switch (e.getCause()) {
                case RuntimeException cause -> throw cause;
                case Error cause -> throw cause;
                default -> throw new TransientProcessingException("fetching schema id " + id + " failed: " + e.getCause(), e.getCause());
            }
        }
    }
}
