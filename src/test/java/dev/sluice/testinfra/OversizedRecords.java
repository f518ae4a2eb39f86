package dev.sluice.testinfra;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A record too large for the dead-letter producer uncompressed (its dead letter becomes a
 * truncated copy), and the gzip producer that gets it onto the source topic.
 */
public final class OversizedRecords {

    private OversizedRecords() {
    }

    /** A 2 MB payment-shaped JSON value with {@code paymentId}: above every value-size bound. */
    public static byte[] hugePayment(String paymentId) {
        byte[] huge = new byte[2 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        return ("{\"paymentId\":\"" + paymentId + "\",\"note\":\"" + new String(huge, StandardCharsets.US_ASCII) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A producer that compresses (gzip), so a 2 MB record of one repeated byte fits the broker's request size. */
    public static KafkaProducer<byte[], byte[]> gzipProducer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer());
    }
}
