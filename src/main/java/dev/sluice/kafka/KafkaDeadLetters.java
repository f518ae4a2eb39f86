package dev.sluice.kafka;

import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.DeadLetters;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RecordLogContext;
import dev.sluice.pipeline.Rejection;
import dev.sluice.pipeline.TracedRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes dead letters: same key and value bytes, the original headers, and the reason, stage
 * and source in Sluice's headers ({@link DeadLetterHeaders}). Each publish is an observation
 * ({@value #OBSERVATION}) whose span is a child of the record's producer trace, and its log lines
 * carry the record's position and trace id. The acknowledgement callback runs only after the broker acknowledged
 * the write ({@code acks=all}); every send, and every retry after a backoff, runs on a virtual
 * thread of its own, so neither the caller (a key lane, a sink thread) nor the producer's I/O
 * thread ever blocks on the broker. A record is done only once its dead letter is acknowledged.
 *
 * <p>Failures: a retriable one (broker away, topic missing, timeout) is retried with backoff until
 * acknowledged or cancelled. A non-retriable one means this dead letter can never be sent as it is
 * (above all {@code RecordTooLargeException}: the broker took the original compressed, the producer
 * refuses it uncompressed); then a <em>truncated copy</em> is sent instead: key and value cut to
 * {@code sluice.source.dead-letter-truncate-to}, every header kept, plus {@value #TRUNCATED} (the
 * original key and value sizes) and {@value #PUBLISH_ERROR}; {@code sluice.records.dead.lettered.truncated}
 * counts them. Its acknowledgement completes the record. A truncated copy refused for good too
 * (authorization, a broken topic) is retried with backoff like an outage and logged at ERROR: the
 * dead-letter topic itself is unusable, and that must stall visibly rather than drop the record.
 * One instance per run; the producer is shared.
 */
final class KafkaDeadLetters implements DeadLetters {

    /** Observation (timer, and span when tracing is on) of each publish until its acknowledgement. */
    static final String OBSERVATION = "sluice.records.dead.lettered.publish";
    static final String TRUNCATED = "sluice.error.truncated";
    static final String PUBLISH_ERROR = "sluice.error.publish";
    private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetters.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final DeadLetterHeaders contract;
    private final ObservationRegistry observations;
    private final Backoff backoff;
    private final FlowMetrics metrics;
    private final int truncateTo;
    private final Counter truncated;
    /** Threads sending or waiting out a backoff; each adds and removes itself; all interrupted on cancel. */
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    KafkaDeadLetters(Producer<byte[], byte[]> producer, String topic, int truncateTo, DeadLetterHeaders contract,
            ObservationRegistry observations, Backoff backoff, FlowMetrics metrics) {
        this.truncateTo = truncateTo;
        this.producer = producer;
        this.topic = topic;
        this.contract = contract;
        this.observations = observations;
        this.backoff = backoff;
        this.metrics = metrics;
        this.truncated = Counter.builder("sluice.records.dead.lettered.truncated")
                .description("Dead letters the producer refused for good (too large), sent as a truncated copy")
                .register(metrics.registry());
    }

    @Override
    public void publish(InboundRecord record, Rejection rejection, Runnable onAcknowledged) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, null, record.key(), record.value(),
                contract.of(record, rejection));
        // the span covers the publish until the broker's acknowledgement (retries included)
        Observation observation = Observation.createNotStarted(OBSERVATION, () -> new TracedRecords(List.of(record)), observations)
                .lowCardinalityKeyValue("reason", rejection.reason().header())
                .lowCardinalityKeyValue("stage", rejection.stage().header())
                .start();
        Pending pending = new Pending(record, rejection, letter, observation, onAcknowledged);
        // Never on the caller's thread: send() blocks up to max.block.ms while the topic's metadata is
        // unknown (topic missing, broker away), which would hold the caller's key lane or sink thread.
        onVirtualThread(pending, () -> send(pending, 1));
    }

    /** One dead letter until its acknowledgement; each piece is written once, at publish. */
    private record Pending(InboundRecord record, Rejection rejection, ProducerRecord<byte[], byte[]> letter,
            Observation observation, Runnable onAcknowledged) {

        Pending with(ProducerRecord<byte[], byte[]> replacement) {
            return new Pending(record, rejection, replacement, observation, onAcknowledged);
        }
    }

    private void send(Pending pending, int attempt) {
        if (cancelled) {
            pending.observation().stop();
            return;
        }
        try {
            producer.send(pending.letter(), (metadata, error) -> {
                if (error == null) {
                    acknowledged(pending, metadata);
                } else {
                    retryLater(pending, attempt, error);
                }
            });
        } catch (RuntimeException e) {
            retryLater(pending, attempt, e);
        }
    }

    private void acknowledged(Pending pending, RecordMetadata metadata) {
        try (RecordLogContext context = RecordLogContext.of(pending.record())) {
            log.debug("dead-lettered as {} at stage {} to {}-{}@{}: {}", pending.rejection().reason().header(),
                    pending.rejection().stage().header(), metadata.topic(), metadata.partition(), metadata.offset(),
                    pending.rejection().detail());
        }
        pending.observation().stop();
        pending.onAcknowledged().run();
    }

    private void retryLater(Pending pending, int attempt, Throwable error) {
        if (cancelled) {
            pending.observation().stop();
            return;
        }
        ProducerRecord<byte[], byte[]> letter = pending.letter();
        if (!KafkaErrors.isRetriable(error) && letter.headers().lastHeader(TRUNCATED) == null) {
            Pending copy = pending.with(truncatedCopy(letter, error));
            truncated.increment();
            try (RecordLogContext context = RecordLogContext.of(pending.record())) {
                log.warn("dead letter to {} refused for good ({}: {}); sending a copy truncated to {} bytes instead",
                        topic, KafkaErrors.causeName(error), error.getMessage(), truncateTo);
            }
            onVirtualThread(copy, () -> send(copy, 1));
            return;
        }
        if (!KafkaErrors.isRetriable(error) && (attempt == 1 || attempt % 10 == 0)) {
            try (RecordLogContext context = RecordLogContext.of(pending.record())) {
                log.error("truncated dead letter to {} refused too ({}: {}); the dead-letter topic is unusable, retrying",
                        topic, KafkaErrors.causeName(error), error.getMessage());
            }
        }
        metrics.retried("dead-letter", KafkaErrors.causeName(error));
        if (attempt == 1 || attempt % 10 == 0) {
            try (RecordLogContext context = RecordLogContext.of(pending.record())) {
                log.warn("dead letter to {} not acknowledged (attempt {}, {}: {}); retrying, the record stays in flight",
                        topic, attempt, KafkaErrors.causeName(error), error.getMessage());
            }
        }
        pending.observation().event(Observation.Event.of("retry"));
        onVirtualThread(pending, () -> {
            backoff.pause(attempt);
            send(pending, attempt + 1);
        });
    }

    /** The same letter with key and value cut to {@link #truncateTo} bytes and headers saying so. */
    private ProducerRecord<byte[], byte[]> truncatedCopy(ProducerRecord<byte[], byte[]> letter, Throwable error) {
        RecordHeaders headers = new RecordHeaders(letter.headers().toArray());
        headers.add(TRUNCATED, utf8("key=" + length(letter.key()) + ",value=" + length(letter.value())));
        headers.add(PUBLISH_ERROR, utf8(error.getClass().getName() + ": " + error.getMessage()));
        return new ProducerRecord<>(topic, null, letter.timestamp(), cut(letter.key()), cut(letter.value()), headers);
    }

    private byte[] cut(byte[] bytes) {
        return bytes == null || bytes.length <= truncateTo ? bytes : Arrays.copyOf(bytes, truncateTo);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? -1 : bytes.length;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code task} on its own virtual thread, interrupted by {@link #cancelAll()}. */
    private void onVirtualThread(Pending pending, Interruptible task) {
        Thread.ofVirtual().name("sluice-dlt").start(() -> {
            waiting.add(Thread.currentThread());
            try (Observation.Scope scope = pending.observation().openScope();
                    RecordLogContext context = RecordLogContext.of(pending.record())) {
                // checked after registering, so a cancel either sees this thread or is seen here
                if (!cancelled) {
                    task.run();
                } else {
                    pending.observation().stop();
                }
            } catch (InterruptedException e) {
                // cancelled by abort: the record stays incomplete and is redelivered
                pending.observation().stop();
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
}
