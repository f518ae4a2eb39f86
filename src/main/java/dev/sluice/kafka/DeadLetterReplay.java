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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p>Never sent back: a truncated dead letter ({@code sluice.error.truncated}: its key and value
 * were cut, they are not the original), counted {@code skippedTruncated}; and a source record the
 * {@link ReplayJournal} holds as replayed already (by any run on any pod, through any of its dead
 * letters), counted {@code skippedAlreadyReplayed}. Each poll's selected letters are claimed in the
 * journal in one statement before any of them is sent, and only those the claim recorded are sent:
 * a source record is re-published at most once. A failed send is reported ({@code failed}) and its
 * journal row marked {@code unconfirmed}, not retried (after a timeout the broker may have written
 * it); a journal that cannot be reached stops the run ({@code complete=false}) before it sends more.
 *
 * <p>Bounded in memory: the topic is streamed one poll at a time, sends are bounded by the
 * producer's {@code buffer.memory} (a full buffer blocks the run), and the only state is the
 * counters, one poll's letters, and a bounded memory of source positions seen in this run
 * ({@code sluice.replay.remembered} entries) that counts a second dead letter of one record within
 * the run as {@code duplicates} (beyond it, the journal skips it). One run at a time per process: a
 * second request while one runs is refused.
 */
public final class DeadLetterReplay {

    private static final Duration POLL = Duration.ofMillis(500);
    /** Truncated dead letters logged one by one per run; the rest only in the run's summary. */
    private static final int LOGGED_TRUNCATED = 10;
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

    private final ConsumerFactory<?, ?> consumers;
    private final ProducerFactory<?, ?> producers;
    private final SourceProperties source;
    private final ReplayProperties bounds;
    private final ReplayJournal journal;
    /** Held for the whole of a run. */
    private final ReentrantLock running = new ReentrantLock();

    public DeadLetterReplay(ConsumerFactory<?, ?> consumers, ProducerFactory<?, ?> producers, SourceProperties source,
            ReplayProperties bounds, ReplayJournal journal) {
        this.bounds = bounds;
        this.consumers = consumers;
        this.producers = producers;
        this.source = source;
        this.journal = journal;
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
        Run run = new Run(UUID.randomUUID().toString(), filter, dryRun, new Counts(bounds.remembered()));
        long started = System.nanoTime();
        String deadLetterTopic = source.deadLetterTopic();
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Counts counts = run.counts;
        Map<Integer, Long> end = new TreeMap<>();
        boolean complete;
        try (Consumer<byte[], byte[]> consumer = (Consumer<byte[], byte[]>) consumers.createConsumer(null, null, "-replay", overrides)) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic, bounds.requestTimeout()).stream()
                    .map(info -> new TopicPartition(deadLetterTopic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.endOffsets(partitions, bounds.requestTimeout()).forEach((p, offset) -> end.put(p.partition(), offset));
            run.sourcePartitions = consumer.partitionsFor(source.topic(), bounds.requestTimeout()).size();
            log.info("replay {} {}: reading {} to offsets {}, filter {}", run.id, dryRun ? "(dry run)" : "", deadLetterTopic, end, filter);
            run.producer = dryRun ? null : (Producer<byte[], byte[]>) producers.createProducer();
            try {
                complete = stream(consumer, partitions, end, run);
            } catch (ReplayJournal.Unavailable e) {
                log.error("replay {} stopped: {}; nothing of the letters not yet claimed was sent, rerun the same filter", run.id,
                        e.getMessage());
                counts.firstError.compareAndSet(null, e.getMessage());
                complete = false;
            } finally {
                if (run.producer != null) {
                    // the factory's shared producer (the pipeline's too): wait for this run's sends, do not close it
                    run.producer.flush();
                    settle(run);
                }
            }
        }
        ReplayReport report = new ReplayReport(run.id, dryRun, deadLetterTopic, source.topic(), counts.scanned, counts.matched,
                dryRun ? counts.selected : counts.acknowledged.get(), counts.failed.get(), counts.duplicates,
                counts.skippedTruncated, counts.skippedAlreadyReplayed, counts.otherTopic, counts.unreadable, counts.byReason, end,
                complete, (System.nanoTime() - started) / 1_000_000, counts.firstError.get());
        log.info("replay {} done: {} scanned, {} matched, {} {}, {} failed, {} duplicates, {} truncated and {} already replayed"
                + " skipped, complete {}", run.id, report.scanned(), report.matched(), report.replayed(),
                dryRun ? "would be replayed" : "replayed", report.failed(), report.duplicates(), report.skippedTruncated(),
                report.skippedAlreadyReplayed(), complete);
        return report;
    }

    private boolean stream(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<Integer, Long> end, Run run) {
        long lastProgress = System.nanoTime();
        List<Selected> batch = new ArrayList<>();
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
                run.counts.scanned++;
                Selected selected = consider(letter, run, batch.size());
                if (selected != null) {
                    batch.add(selected);
                    if (run.filter.limit() != null && run.counts.selected + batch.size() >= run.filter.limit()) {
                        publish(batch, run);
                    }
                }
            }
            publish(batch, run);
            settle(run);
        }
        return true;
    }

    /** Returns the letter if the run should send it back, once the journal agrees; null if it is skipped. */
    private Selected consider(ConsumerRecord<byte[], byte[]> letter, Run run, int pending) {
        Counts counts = run.counts;
        Headers headers = letter.headers();
        String topic = DeadLetterHeaders.text(headers, SOURCE_TOPIC);
        RejectReason reason = reason(DeadLetterHeaders.text(headers, REASON));
        Integer partition = integer(DeadLetterHeaders.text(headers, SOURCE_PARTITION));
        Long offset = longValue(DeadLetterHeaders.text(headers, SOURCE_OFFSET));
        if (topic == null || reason == null || partition == null || offset == null) {
            counts.unreadable++;
            return null;
        }
        if (!topic.equals(source.topic())) {
            counts.otherTopic++;
            return null;
        }
        if (!run.filter.matches(reason, partition, offset, letter.timestamp())) {
            return null;
        }
        counts.matched++;
        String deadLetter = letter.topic() + "-" + letter.partition() + "@" + letter.offset();
        String truncated = DeadLetterHeaders.text(headers, KafkaDeadLetters.TRUNCATED);
        if (truncated != null) {
            if (++counts.skippedTruncated <= LOGGED_TRUNCATED) {
                log.warn("replay {}: dead letter {} is a truncated copy ({} {}), not the original: not sent back; the original"
                        + " is {}-{}@{} on the source topic while its retention keeps it", run.id, deadLetter,
                        KafkaDeadLetters.TRUNCATED, truncated, topic, partition, offset);
            }
            return null;
        }
        if (run.filter.limit() != null && counts.selected + pending >= run.filter.limit()) {
            return null;
        }
        if (counts.replayed.put(partition + "@" + offset, Boolean.TRUE) != null) {
            counts.duplicates++;
            return null;
        }
        return new Selected(letter, reason, new ReplayJournal.Position(topic, partition, offset, deadLetter));
    }

    /** Claims {@code batch} in the journal (a dry run only reads it), sends what the claim recorded, and clears the batch. */
    private void publish(List<Selected> batch, Run run) {
        if (batch.isEmpty()) {
            return;
        }
        List<ReplayJournal.Position> positions = batch.stream().map(Selected::position).toList();
        Set<String> ours;
        if (run.dryRun) {
            Set<String> recorded = journal.recorded(positions);
            ours = new HashSet<>();
            positions.stream().map(ReplayJournal.Position::key).filter(key -> !recorded.contains(key)).forEach(ours::add);
        } else {
            ours = journal.claim(run.id, positions);
        }
        for (Selected selected : batch) {
            if (!ours.contains(selected.position().key())) {
                run.counts.skippedAlreadyReplayed++;
                continue;
            }
            run.counts.selected++;
            run.counts.byReason.merge(selected.reason().header(), 1L, Long::sum);
            if (!run.dryRun) {
                send(selected, run);
            }
        }
        batch.clear();
    }

    private void send(Selected selected, Run run) {
        ConsumerRecord<byte[], byte[]> letter = selected.letter();
        ReplayJournal.Position position = selected.position();
        Headers originals = DeadLetterHeaders.originals(letter.headers());
        originals.remove(REPLAY_OF);
        originals.remove(REPLAY_RUN);
        originals.add(REPLAY_OF, utf8(position.deadLetter()));
        originals.add(REPLAY_RUN, utf8(run.id));
        // the original partition keeps the record behind its key's earlier records (when it still exists)
        Integer target = position.partition() < run.sourcePartitions ? position.partition() : null;
        Counts counts = run.counts;
        run.producer.send(new ProducerRecord<>(position.topic(), target, null, letter.key(), letter.value(), originals),
                (metadata, error) -> {
                    if (error == null) {
                        counts.acknowledged.incrementAndGet();
                        counts.sent.add(position);
                    } else {
                        counts.failed.incrementAndGet();
                        counts.firstError.compareAndSet(null, error.toString());
                        counts.unconfirmed.put(position, error.toString());
                    }
                });
    }

    /** Writes the outcomes of the sends settled so far to the journal; a failure leaves their rows {@code sending}, logged. */
    private void settle(Run run) {
        if (run.dryRun) {
            return;
        }
        List<ReplayJournal.Position> sent = new ArrayList<>();
        for (ReplayJournal.Position position; (position = run.counts.sent.poll()) != null; ) {
            sent.add(position);
        }
        Map<ReplayJournal.Position, String> unconfirmed = new HashMap<>();
        run.counts.unconfirmed.keySet().forEach(position -> unconfirmed.put(position, run.counts.unconfirmed.remove(position)));
        try {
            journal.settle(run.id, sent, unconfirmed);
        } catch (ReplayJournal.Unavailable e) {
            log.warn("replay {}: {} sends not settled in the journal ({}); their rows stay 'sending', still never re-sent",
                    run.id, sent.size() + unconfirmed.size(), e.getMessage());
        }
    }

    /** One dead letter a run means to send back. */
    private record Selected(ConsumerRecord<byte[], byte[]> letter, RejectReason reason, ReplayJournal.Position position) {
    }

    /** One run: its settings, and its producer and source partition count once known. The replaying thread only. */
    private static final class Run {
        final String id;
        final ReplayFilter filter;
        final boolean dryRun;
        final Counts counts;
        Producer<byte[], byte[]> producer;
        int sourcePartitions;

        Run(String id, ReplayFilter filter, boolean dryRun, Counts counts) {
            this.id = id;
            this.filter = filter;
            this.dryRun = dryRun;
            this.counts = counts;
        }
    }

    /**
     * A run's counters: the plain fields belong to the replaying thread; the atomics and the two
     * settled collections are also written by producer callbacks, and drained by the replaying thread.
     */
    private static final class Counts {
        long scanned;
        long matched;
        long selected;
        long duplicates;
        long skippedTruncated;
        long skippedAlreadyReplayed;
        long otherTopic;
        long unreadable;
        final Map<String, Long> byReason = new TreeMap<>();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final Queue<ReplayJournal.Position> sent = new ConcurrentLinkedQueue<>();
        final Map<ReplayJournal.Position, String> unconfirmed = new ConcurrentHashMap<>();
        /** Source positions selected in this run, the oldest forgotten beyond {@code sluice.replay.remembered}. */
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
