package dev.sluice.kafka;

import static dev.sluice.kafka.DeadLetterHeaders.REASON;
import static dev.sluice.kafka.DeadLetterHeaders.REPLAY_OF;
import static dev.sluice.kafka.DeadLetterHeaders.REPLAY_RUN;
import static dev.sluice.kafka.DeadLetterHeaders.SOURCE_OFFSET;
import static dev.sluice.kafka.DeadLetterHeaders.SOURCE_PARTITION;
import static dev.sluice.kafka.DeadLetterHeaders.SOURCE_TOPIC;

import dev.sluice.pipeline.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Sends dead letters back to the source topic once their cause is fixed: reads the dead-letter
 * topic from its beginning to its end as of the start (so dead letters that the replayed records
 * produce again are not read in the same run), keeps those the {@link ReplayFilter} selects, and
 * re-publishes each original (key, value, original headers) to its source partition with the
 * {@code sluice.replay.of} and {@code sluice.replay.run} headers.
 *
 * <p>Bounded in memory: the topic is streamed one poll at a time, sends are bounded by the
 * producer's {@code buffer.memory} (a full buffer blocks the run), and the only state is the
 * counters and a bounded memory of replayed source positions ({@code sluice.replay.remembered}
 * entries) that keeps two dead letters of one source record (a redelivery after a crash) from
 * being replayed twice. Each dead letter is read once per run, so none is replayed twice. One run
 * at a time: a second request while one runs is refused.
 */
public final class DeadLetterReplay {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

    private final ConsumerFactory<?, ?> consumers;
    private final ProducerFactory<?, ?> producers;
    private final SourceProperties source;
    private final ReplayProperties bounds;
    /** Held for the whole of a run. */
    private final ReentrantLock running = new ReentrantLock();

    public DeadLetterReplay(ConsumerFactory<?, ?> consumers, ProducerFactory<?, ?> producers, SourceProperties source,
            ReplayProperties bounds) {
        this.bounds = bounds;
        this.consumers = consumers;
        this.producers = producers;
        this.source = source;
    }

    /** Thrown when a replay is requested while another one runs. */
    public static final class AlreadyRunning extends IllegalStateException {
        AlreadyRunning() {
            super("a replay is already running; wait for its report");
        }
    }

    /** Replays (or with {@code dryRun}, only counts) the dead letters {@code filter} selects. */
    public ReplayReport replay(ReplayFilter filter, boolean dryRun) {
        if (!running.tryLock()) {
            throw new AlreadyRunning();
        }
        try {
            return run(filter, dryRun);
        } finally {
            running.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private ReplayReport run(ReplayFilter filter, boolean dryRun) {
        String run = UUID.randomUUID().toString();
        long started = System.nanoTime();
        String deadLetterTopic = source.deadLetterTopic();
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Counts counts = new Counts(bounds.remembered());
        Map<Integer, Long> end = new TreeMap<>();
        boolean complete;
        try (Consumer<byte[], byte[]> consumer = (Consumer<byte[], byte[]>) consumers.createConsumer(null, null, "-replay", overrides)) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic, bounds.requestTimeout()).stream()
                    .map(info -> new TopicPartition(deadLetterTopic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.endOffsets(partitions, bounds.requestTimeout()).forEach((p, offset) -> end.put(p.partition(), offset));
            int sourcePartitions = consumer.partitionsFor(source.topic(), bounds.requestTimeout()).size();
            log.info("replay {} {}: reading {} to offsets {}, filter {}", run, dryRun ? "(dry run)" : "", deadLetterTopic, end, filter);
            Producer<byte[], byte[]> producer = dryRun ? null : (Producer<byte[], byte[]>) producers.createProducer();
            try {
                complete = stream(consumer, partitions, end, filter, dryRun, run, sourcePartitions, producer, counts);
            } finally {
                if (producer != null) {
                    // the factory's shared producer (the pipeline's too): wait for this run's sends, do not close it
                    producer.flush();
                }
            }
        }
        ReplayReport report = new ReplayReport(run, dryRun, deadLetterTopic, source.topic(), counts.scanned, counts.matched,
                dryRun ? counts.selected : counts.acknowledged.get(), counts.failed.get(), counts.duplicates, counts.otherTopic,
                counts.unreadable, counts.byReason, end, complete, (System.nanoTime() - started) / 1_000_000, counts.firstError.get());
        log.info("replay {} done: {} scanned, {} matched, {} {}, {} failed, {} duplicates skipped, complete {}", run, report.scanned(),
                report.matched(), report.replayed(), dryRun ? "would be replayed" : "replayed", report.failed(), report.duplicates(), complete);
        return report;
    }

    private boolean stream(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<Integer, Long> end,
            ReplayFilter filter, boolean dryRun, String run, int sourcePartitions, Producer<byte[], byte[]> producer, Counts counts) {
        long lastProgress = System.nanoTime();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p.partition()))) {
            var records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > bounds.stallTimeout().toNanos()) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> letter : records) {
                if (letter.offset() >= end.get(letter.partition())) {
                    continue;
                }
                counts.scanned++;
                consider(letter, filter, dryRun, run, sourcePartitions, producer, counts);
            }
        }
        return true;
    }

    private void consider(ConsumerRecord<byte[], byte[]> letter, ReplayFilter filter, boolean dryRun, String run,
            int sourcePartitions, Producer<byte[], byte[]> producer, Counts counts) {
        Headers headers = letter.headers();
        String topic = DeadLetterHeaders.text(headers, SOURCE_TOPIC);
        RejectReason reason = reason(DeadLetterHeaders.text(headers, REASON));
        Integer partition = integer(DeadLetterHeaders.text(headers, SOURCE_PARTITION));
        Long offset = longValue(DeadLetterHeaders.text(headers, SOURCE_OFFSET));
        if (topic == null || reason == null || partition == null || offset == null) {
            counts.unreadable++;
            return;
        }
        if (!topic.equals(source.topic())) {
            counts.otherTopic++;
            return;
        }
        if (!filter.matches(reason, partition, offset, letter.timestamp())) {
            return;
        }
        counts.matched++;
        if (filter.limit() != null && counts.selected >= filter.limit()) {
            return;
        }
        if (counts.replayed.put(partition + "@" + offset, Boolean.TRUE) != null) {
            counts.duplicates++;
            return;
        }
        counts.selected++;
        counts.byReason.merge(reason.header(), 1L, Long::sum);
        if (dryRun) {
            return;
        }
        Headers originals = DeadLetterHeaders.originals(headers);
        originals.remove(REPLAY_OF);
        originals.remove(REPLAY_RUN);
        originals.add(REPLAY_OF, utf8(letter.topic() + "-" + letter.partition() + "@" + letter.offset()));
        originals.add(REPLAY_RUN, utf8(run));
        // the original partition keeps the record behind its key's earlier records (when it still exists)
        Integer target = partition < sourcePartitions ? partition : null;
        producer.send(new ProducerRecord<>(topic, target, null, letter.key(), letter.value(), originals), (metadata, error) -> {
            if (error == null) {
                counts.acknowledged.incrementAndGet();
            } else {
                counts.failed.incrementAndGet();
                counts.firstError.compareAndSet(null, error.toString());
            }
        });
    }

    /** A run's counters: the plain fields belong to the replaying thread, the atomics are also written by producer callbacks. */
    private static final class Counts {
        long scanned;
        long matched;
        long selected;
        long duplicates;
        long otherTopic;
        long unreadable;
        final Map<String, Long> byReason = new TreeMap<>();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        /** Source positions sent in this run, the oldest forgotten beyond {@code sluice.replay.remembered}. */
        final Map<String, Boolean> replayed;

        Counts(int remembered) {
            replayed = new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > remembered;
                }
            };
        }
    }

    private static RejectReason reason(String text) {
        if (text == null) {
            return null;
        }
        try {
            return RejectReason.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long longValue(String text) {
        try {
            return text == null ? null : Long.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
