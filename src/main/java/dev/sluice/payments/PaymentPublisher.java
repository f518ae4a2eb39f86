package dev.sluice.payments;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes generated payments to any broker, for demos and load tests. Runnable from the packaged
 * jar (see README "Load"):
 * <pre>
 * java -cp target/sluice-0.1.0-SNAPSHOT.jar -Dloader.main=dev.sluice.payments.PaymentPublisher \
 *      org.springframework.boot.loader.launch.PropertiesLauncher \
 *      --bootstrap-servers=localhost:9092 --topic=payments --count=100000 --rate=5000
 * </pre>
 * Not thread-safe: one publisher per thread.
 */
public final class PaymentPublisher implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public PaymentPublisher(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
    }

    /**
     * Publishes {@code count} records from {@code generator}, paced to {@code ratePerSecond}
     * (0: as fast as the broker takes them), and waits for the broker's acknowledgements.
     */
    public void publish(PaymentGenerator generator, long count, double ratePerSecond) {
        publish(generator, count, ratePerSecond, generated -> { });
    }

    /** Like {@link #publish(PaymentGenerator, long, double)}, showing each record to {@code observer} as it is sent. */
    public void publish(PaymentGenerator generator, long count, double ratePerSecond,
            java.util.function.Consumer<PaymentGenerator.Generated> observer) {
        long started = System.nanoTime();
        for (long i = 0; i < count && !Thread.currentThread().isInterrupted(); i++) {
            if (ratePerSecond > 0) {
                long due = started + (long) (i * (1e9 / ratePerSecond));
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    LockSupport.parkNanos(ahead);
                }
            }
            PaymentGenerator.Generated next = generator.next();
            observer.accept(next);
            send(next.key(), next.value());
        }
        producer.flush();
    }

    /** Sends one record as is (a hand-made one, say); {@link #flush()} waits for it. */
    public void send(String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value),
                (metadata, error) -> (error == null ? acknowledged : failed).incrementAndGet());
    }

    public void flush() {
        producer.flush();
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        producer.close();
    }

    public static void main(String[] args) {
        Map<String, String> options = options(args);
        PaymentGenerator generator = new PaymentGenerator(new PaymentGenerator.Spec(options.get("prefix"),
                Integer.parseInt(options.get("accounts")), Double.parseDouble(options.get("duplicates")),
                Double.parseDouble(options.get("invalid")), 0, 1, Long.parseLong(options.get("seed"))));
        long count = Long.parseLong(options.get("count"));
        long started = System.nanoTime();
        try (PaymentPublisher publisher = new PaymentPublisher(options.get("bootstrap-servers"), options.get("topic"))) {
            publisher.publish(generator, count, Double.parseDouble(options.get("rate")));
            double seconds = (System.nanoTime() - started) / (double) TimeUnit.SECONDS.toNanos(1);
            System.out.printf("published %d payments to %s in %.1f s (%.0f/s): %d acknowledged, %d failed; ids prefixed %s%n",
                    count, options.get("topic"), seconds, count / seconds, publisher.acknowledged(), publisher.failed(),
                    options.get("prefix"));
            if (publisher.failed() > 0) {
                System.exit(1);
            }
        }
    }

    /** The defaults overridden by {@code --name=value} arguments; an unknown name is an error that lists the known ones. */
    static Map<String, String> options(String... args) {
        Map<String, String> options = new HashMap<>(Map.of("bootstrap-servers", "localhost:9092", "topic", "payments",
                "count", "100000", "rate", "0", "accounts", "10000", "duplicates", "0.05", "invalid", "0.01",
                "prefix", "load-" + Long.toString(System.currentTimeMillis(), 36), "seed", "42"));
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, got " + arg + "; names: " + new java.util.TreeSet<>(options.keySet()));
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (!options.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + new java.util.TreeSet<>(options.keySet()));
            }
            options.put(name, arg.substring(arg.indexOf('=') + 1));
        }
        return options;
    }
}
