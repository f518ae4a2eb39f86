package dev.sluice.jobs.avro;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Kafka value in the Confluent wire format — magic byte {@code 0}, the writer schema's id
 * (4 bytes, big-endian), the Avro binary datum — into a JSON tree ({@link AvroTree} says how each
 * Avro type appears), so a declarative job maps its columns from an Avro value exactly as from a
 * JSON one. The datum is decoded with its writer schema as the registry holds it; there is no
 * reader schema to resolve against.
 *
 * <p>Thread-safe: called from the workers' virtual threads.
 */
public final class ConfluentAvroReader {

    private static final int HEADER = 5;
    private static final byte MAGIC = 0;
    /** Writer schemas whose datum readers are kept; a topic rarely has more than a few dozen alive. */
    private static final int READERS = 1000;

    private final SchemaRegistryClient registry;
    /** Own instance, no conversions: the datum keeps its raw types whatever else registers on {@link GenericData#get()}. */
    private final GenericData data = new GenericData();
    private final AvroTree tree = new AvroTree(data);
    /**
     * A datum reader per writer schema (shared by the workers: reading keeps no state in it beyond
     * Avro's per-thread resolver cache): building one per record costs more than the decoding it
     * does. Bounded by clearing it when full, which only costs rebuilding them.
     */
    private final ConcurrentHashMap<Schema, GenericDatumReader<Object>> readers = new ConcurrentHashMap<>();

    public ConfluentAvroReader(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /**
     * The value's datum as a tree.
     *
     * @throws dev.sluice.pipeline.TransientProcessingException when the registry cannot answer now
     *     (no connection, a timeout, 5xx, 429): the record is retried, never dead-lettered
     * @throws MalformedAvroException for a wrong magic byte, a value too short, a schema id the
     *     registry does not know (404), or bytes that do not decode with the writer schema; the
     *     message is the dead letter's reason
     */
    public JsonNode read(byte[] value) {
        if (value == null) {
            throw new MalformedAvroException("no value: an Avro record in the Confluent wire format needs a magic byte, a schema id and a datum");
        }
        if (value.length < HEADER) {
            throw new MalformedAvroException("too short for the Confluent wire format: " + value.length
                    + " bytes, the magic byte and the 4-byte schema id take " + HEADER);
        }
        if (value[0] != MAGIC) {
            throw new MalformedAvroException(String.format("magic byte 0x%02x, the Confluent wire format starts with 0x00", value[0] & 0xff));
        }
        int id = (value[1] & 0xff) << 24 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 8 | value[4] & 0xff;
        Schema schema = registry.schema(id);
        return decode(value, id, schema);
    }

    private GenericDatumReader<Object> reader(Schema schema) {
        GenericDatumReader<Object> reader = readers.get(schema);
        if (reader == null) {
            if (readers.size() >= READERS) {
                readers.clear();
            }
            reader = readers.computeIfAbsent(schema, writer -> new GenericDatumReader<>(writer, writer, data));
        }
        return reader;
    }

    private JsonNode decode(byte[] value, int id, Schema schema) {
        Object datum;
        boolean rest;
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, HEADER, value.length - HEADER, null);
            datum = reader(schema).read(null, decoder);
            rest = !decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            // EOFException for a truncated datum; AvroRuntimeException for a bad union index, a
            // negative length, a length beyond Avro's limits
            throw new MalformedAvroException("does not decode with writer schema id " + id + ": " + e, e);
        } catch (StackOverflowError e) {
            throw new MalformedAvroException("nested too deeply to decode with writer schema id " + id, e);
        }
        if (rest) {
            throw new MalformedAvroException("bytes left over after the datum of writer schema id " + id
                    + ": the value was not written with this schema");
        }
        try {
            return tree.of(datum, schema);
        } catch (RuntimeException e) {
            throw new MalformedAvroException("does not convert with writer schema id " + id + ": " + e, e);
        } catch (StackOverflowError e) {
            throw new MalformedAvroException("nested too deeply to convert with writer schema id " + id, e);
        }
    }
}
