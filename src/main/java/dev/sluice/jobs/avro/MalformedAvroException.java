package dev.sluice.jobs.avro;

/**
 * A value that is not a decodable Avro record in the Confluent wire format: wrong magic byte, too
 * short, a schema id the registry does not know, or bytes that do not decode with the writer
 * schema. Its message is the reason the record is dead-lettered with; retrying would not help.
 */
public final class MalformedAvroException extends IllegalArgumentException {

    public MalformedAvroException(String message) {
        super(message);
    }

    public MalformedAvroException(String message, Throwable cause) {
        super(message, cause);
    }
}
