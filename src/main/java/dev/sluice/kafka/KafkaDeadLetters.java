package dev.sluice.kafka;

import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.DeadLetters;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes dead letters: same key and value bytes, reason and source in headers (contract:
 * DESIGN.md "Dead letters"). The acknowledgement callback runs only after the broker acknowledged
 * the write ({@code acks=all}); every send, and every retry after a backoff, runs on a virtual
 * thread of its own, so neither the caller (a key lane, a sink thread) nor the producer's I/O
 * thread ever blocks on the broker. Any failure is retried: a record is done only once its dead
 * letter is acknowledged. One instance per run; the producer is shared.
 */
final class KafkaDeadLetters implements DeadLetters {

    static final String REASON = "sluice.error.reason";
    static final String DETAIL = "sluice.error.detail";
    static final String SOURCE_TOPIC = "sluice.source.topic";
    static final String SOURCE_PARTITION = "sluice.source.partition";
    static final String SOURCE_OFFSET = "sluice.source.offset";
    private static final int MAX_DETAIL = 1000;
    private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetters.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Backoff backoff;
    private final FlowMetrics metrics;
    /** Threads sending or waiting out a backoff; each adds and removes itself; all interrupted on cancel. */
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    KafkaDeadLetters(Producer<byte[], byte[]> producer, String topic, Backoff backoff, FlowMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.backoff = backoff;
        this.metrics = metrics;
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
