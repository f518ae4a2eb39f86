package dev.sluice.jobs;

/**
 * Where a column's value comes from, as written in {@code sluice.jobs.<name>.columns.<column>}:
 * {@code "@key"}, {@code "@key/<pointer>"}, a JSON Pointer into the value ({@code /customer/name}),
 * {@code "@timestamp"}, {@code "@topic"}, {@code "@partition"}, {@code "@offset"} or
 * {@code "@header:<name>"}.
 */
sealed interface Source {

    /** The record key as UTF-8 text. */
    record KeyText() implements Source {
    }

    /** A field of the record key, read as JSON. */
    record KeyField(Pointer pointer) implements Source {
    }

    /** A field of the record value (a JSON object, or the tree an Avro reader built). */
    record ValueField(Pointer pointer) implements Source {
    }

    /** A part of the record's metadata (known to the writer only, not to the decoder). */
    record Metadata(Part part) implements Source {
    }

    /** The last header of that name, as UTF-8 text (absent: no value). */
    record Header(String name) implements Source {
    }

    /** The record metadata a column may take. */
    enum Part {
        TIMESTAMP, TOPIC, PARTITION, OFFSET
    }

    /** Whether the value comes from the record key (what a tombstone still has). */
    default boolean fromKey() {
        return this instanceof KeyText || this instanceof KeyField;
    }

    /** Whether the decoder cannot know the value (it sees key and value bytes only): the writer fills it in. */
    default boolean fromRecord() {
        return this instanceof Metadata || this instanceof Header;
    }

    /** Parses a column's source; {@link IllegalArgumentException} saying what is allowed when it is none. */
    static Source parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a source is required: a JSON Pointer (/field), @key, @key/<pointer>, @timestamp, "
                    + "@topic, @partition, @offset or @header:<name>");
        }
        if (text.charAt(0) == '/') {
            return new ValueField(Pointer.parse(text));
        }
        if (text.equals("@key")) {
            return new KeyText();
        }
        if (text.startsWith("@key/")) {
            return new KeyField(Pointer.parse(text.substring("@key".length())));
        }
        if (text.startsWith("@header:") && text.length() > "@header:".length()) {
            return new Header(text.substring("@header:".length()));
        }
        return switch (text) {
            case "@timestamp" -> new Metadata(Part.TIMESTAMP);
            case "@topic" -> new Metadata(Part.TOPIC);
            case "@partition" -> new Metadata(Part.PARTITION);
            case "@offset" -> new Metadata(Part.OFFSET);
            default -> throw new IllegalArgumentException("unknown source \"" + text + "\": a JSON Pointer starts with '/'; "
                    + "the others are @key, @key/<pointer>, @timestamp, @topic, @partition, @offset and @header:<name>");
        };
    }
}
