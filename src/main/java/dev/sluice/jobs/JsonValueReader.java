package dev.sluice.jobs;

import dev.sluice.pipeline.Text;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict JSON: UTF-8 without a byte order mark, one JSON text, no duplicate keys, within bounds
 * (size, nesting, number length). Numbers with a fraction are read as exact decimals, with their
 * trailing zeros, so a numeric column sees what the producer wrote. Thread-safe.
 */
final class JsonValueReader implements ValueReader {

    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_DEPTH = 64;

    private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(1000)
                            .maxDocumentLength(MAX_BYTES)
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    @Override
    public JsonNode read(byte[] value) {
        if (value.length == 0) {
            throw new IllegalArgumentException("is empty");
        }
        if (value.length > MAX_BYTES) {
            throw new IllegalArgumentException("has " + value.length + " bytes, more than the " + MAX_BYTES + " a JSON value may have");
        }
        if (!Text.isStrictUtf8(value)) {
            throw new IllegalArgumentException("is not valid UTF-8");
        }
        if (value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF) {
            throw new IllegalArgumentException("starts with a byte order mark");
        }
        try {
            return mapper.readTree(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("is not well-formed JSON: " + Text.firstLine(e.getOriginalMessage()), e);
        }
    }
}
