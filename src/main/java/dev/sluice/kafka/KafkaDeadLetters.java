package dev.sluice.kafka;

import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.DeadLetters;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RejectReason;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes dead letters: same key and value bytes, reason and source in headers (contract:
 * DESIGN.md "Dead letters"). The acknowledgement callback runs only after the broker acknowledged
 * the write ({@code acks=all}); every send, and every retry after a backoff, runs on a virtual
 * thread of its own, so neither the caller (a key lane, a sink thread) nor the producer's I/O
 * thread ever blocks on the broker. A record is done only once its dead letter is acknowledged.
 *
 * <p>Failures: a retriable one (broker away, topic missing, timeout) is retried with backoff until
 * acknowledged or cancelled. A non-retriable one means this dead letter can never be sent as it is
 * (above all {@code RecordTooLargeException}: the broker took the original compressed, the producer
 * refuses it uncompressed); then a <em>truncated copy</em> is sent instead: key and value cut to
 * {@code sluice.source.dead-letter-truncate-to}, every header kept, plus {@value #TRUNCATED} (the
 * original key and value sizes) and {@value #PUBLISH_ERROR}; {@code sluice.deadletters.truncated}
 * counts them. Its acknowledgement completes the record. A truncated copy refused for good too
 * (authorization, a broken topic) is retried with backoff like an outage and logged at ERROR: the
 * dead-letter topic itself is unusable, and that must stall visibly rather than drop the record.
 * One instance per run; the producer is shared.
 */
final class KafkaDeadLetters implements DeadLetters {

    static final String REASON = "sluice.error.reason";
    static final String DETAIL = "sluice.error.detail";
    static final String SOURCE_TOPIC = "sluice.source.topic";
    static final String SOURCE_PARTITION = "sluice.source.partition";
    static final String SOURCE_OFFSET = "sluice.source.offset";
    static final String TRUNCATED = "sluice.error.truncated";
    static final String PUBLISH_ERROR = "sluice.error.publish";
    private static final int MAX_DETAIL = 1000;
    private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetters.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Backoff backoff;
    private final FlowMetrics metrics;
    private final int truncateTo;
    private final Counter truncated;
    /** Threads sending or waiting out a backoff; each adds and removes itself; all interrupted on cancel. */
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    KafkaDeadLetters(Producer<byte[], byte[]> producer, String topic, int truncateTo, Backoff backoff, FlowMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.truncateTo = truncateTo;
        this.backoff = backoff;
        this.metrics = metrics;
        this.truncated = Counter.builder("sluice.deadletters.truncated")
                .description("Dead letters the producer refused for good (too large), sent as a truncated copy")
                .register(metrics.registry());
    }

    @Override
    public void publish(InboundRecord record, RejectReason reason, String detail, Runnable onAcknowledged) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, utf8(reason.header()));
        headers.add(DETAIL, utf8(detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail));
        headers.add(SOURCE_TOPIC, utf8(record.ref().partition().topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(record.ref().partition().partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(record.ref().offset())));
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
        // Never on the caller's thread: send() blocks up to max.block.ms while the topic's metadata is
        // unknown (topic missing, broker away), which would hold the caller's key lane or sink thread.
        onVirtualThread(() -> send(letter, 1, onAcknowledged));
    }

    private void send(ProducerRecord<byte[], byte[]> letter, int attempt, Runnable onAcknowledged) {
        if (cancelled) {
            return;
        }
        try {
            producer.send(letter, (metadata, error) -> {
                if (error == null) {
                    onAcknowledged.run();
                } else {
                    retryLater(letter, attempt, error, onAcknowledged);
                }
            });
        } catch (RuntimeException e) {
            retryLater(letter, attempt, e, onAcknowledged);
        }
    }

    private void retryLater(ProducerRecord<byte[], byte[]> letter, int attempt, Throwable error, Runnable onAcknowledged) {
        if (cancelled) {
            return;
        }
        if (!KafkaErrors.isRetriable(error) && letter.headers().lastHeader(TRUNCATED) == null) {
            ProducerRecord<byte[], byte[]> copy = truncatedCopy(letter, error);
            truncated.increment();
            log.warn("dead letter to {} refused for good ({}: {}); sending a copy truncated to {} bytes instead (source {})",
                    topic, KafkaErrors.causeName(error), error.getMessage(), truncateTo, source(letter));
            onVirtualThread(() -> send(copy, 1, onAcknowledged));
            return;
        }
        if (!KafkaErrors.isRetriable(error) && (attempt == 1 || attempt % 10 == 0)) {
            log.error("truncated dead letter to {} refused too ({}: {}); the dead-letter topic is unusable, retrying (source {})",
                    topic, KafkaErrors.causeName(error), error.getMessage(), source(letter));
        }
        metrics.retried("dead-letter", KafkaErrors.causeName(error));
        if (attempt == 1 || attempt % 10 == 0) {
            log.warn("dead letter to {} not acknowledged (attempt {}, {}: {}); retrying, the record stays in flight",
                    topic, attempt, KafkaErrors.causeName(error), error.getMessage());
        }
        onVirtualThread(() -> {
            backoff.pause(attempt);
            send(letter, attempt + 1, onAcknowledged);
        });
    }

    /** The same letter with key and value cut to {@link #truncateTo} bytes and headers saying so. */
    private ProducerRecord<byte[], byte[]> truncatedCopy(ProducerRecord<byte[], byte[]> letter, Throwable error) {
        RecordHeaders headers = new RecordHeaders(letter.headers().toArray());
        headers.add(TRUNCATED, utf8("key=" + length(letter.key()) + ",value=" + length(letter.value())));
        headers.add(PUBLISH_ERROR, utf8(error.getClass().getName() + ": " + error.getMessage()));
        return new ProducerRecord<>(topic, null, cut(letter.key()), cut(letter.value()), headers);
    }

    private byte[] cut(byte[] bytes) {
        return bytes == null || bytes.length <= truncateTo ? bytes : Arrays.copyOf(bytes, truncateTo);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? -1 : bytes.length;
    }

    private static String source(ProducerRecord<byte[], byte[]> letter) {
        Header partition = letter.headers().lastHeader(SOURCE_PARTITION);
        Header offset = letter.headers().lastHeader(SOURCE_OFFSET);
        return (partition == null ? "?" : new String(partition.value(), StandardCharsets.UTF_8)) + "@"
                + (offset == null ? "?" : new String(offset.value(), StandardCharsets.UTF_8));
    }

    /** Runs {@code task} on its own virtual thread, interrupted by {@link #cancelAll()}. */
    private void onVirtualThread(Interruptible task) {
        Thread.ofVirtual().name("sluice-dlt").start(() -> {
            waiting.add(Thread.currentThread());
            try {
                // checked after registering, so a cancel either sees this thread or is seen here
                if (!cancelled) {
                    task.run();
                }
            } catch (InterruptedException e) {
                // cancelled by abort: the record stays incomplete and is redelivered
            } finally {
                waiting.remove(Thread.currentThread());
            }
        });
    }

    @FunctionalInterface
    private interface Interruptible {
        void run() throws InterruptedException;
    }

    @Override
    public void cancelAll() {
        cancelled = true;
        waiting.forEach(Thread::interrupt);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
