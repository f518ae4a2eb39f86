package dev.sluice.testinfra;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/** Reads a whole dead-letter topic, from the beginning to its current end. */
public final class DeadLetterReader {

    /** One dead letter with its headers decoded. */
    public record DeadLetter(byte[] key, byte[] value, Map<String, String> headers) {

        public String reason() {
            return headers.get("sluice.error.reason");
        }
    }

    private DeadLetterReader() {
    }

    public static List<DeadLetter> readAll(String bootstrapServers, String topic) {
        List<DeadLetter> letters = new ArrayList<>();
        TopicReader.readAll(bootstrapServers, topic, Duration.ofSeconds(60), record -> {
            Map<String, String> headers = new java.util.HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            letters.add(new DeadLetter(record.key(), record.value(), headers));
        });
        return letters;
    }
}
