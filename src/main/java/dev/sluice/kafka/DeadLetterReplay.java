package dev.sluice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
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
 * the run as {@code duplicates} (beyond it, the journal skips it). One run at a time per process,
 * and one real (not dry) run at a time across the cluster ({@link ReplayJournal#exclusive}, a
 * PostgreSQL advisory lock): a second request while one runs is refused.
 */
public final class DeadLetterReplay {

    private static final Duration POLL = Duration.ofMillis(500);
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
        AlreadyRunning(String where) {
            super("a replay is already running " + where + "; wait for its report");
        }
    }

    /** Replays (or with {@code dryRun}, only counts) the dead letters {@code filter} selects. */
    public ReplayReport replay(ReplayFilter filter, boolean dryRun) {
        if (!running.tryLock()) {
            throw new AlreadyRunning("in this process");
        }
        try {
            if (dryRun) {
                return run(filter, true);
            }
            try (ReplayJournal.Exclusive lock = journal.exclusive(source.deadLetterTopic())) {
                if (lock == null) {
                    throw new AlreadyRunning("on another pod (it holds the cluster-wide replay lock)");
                }
                return run(filter, false);
            }
        } finally {
            running.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private ReplayReport run(ReplayFilter filter, boolean dryRun) {
        String id = UUID.randomUUID().toString();
        long started = System.nanoTime();
        String deadLetterTopic = source.deadLetterTopic();
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<Integer, Long> end = new TreeMap<>();
        ReplayRun run;
        boolean complete;
        try (Consumer<byte[], byte[]> consumer = (Consumer<byte[], byte[]>) consumers.createConsumer(null, null, "-replay", overrides)) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic, bounds.requestTimeout()).stream()
                    .map(info -> new TopicPartition(deadLetterTopic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.endOffsets(partitions, bounds.requestTimeout()).forEach((p, offset) -> end.put(p.partition(), offset));
            int sourcePartitions = consumer.partitionsFor(source.topic(), bounds.requestTimeout()).size();
            log.info("replay {} {}: reading {} to offsets {}, filter {}", id, dryRun ? "(dry run)" : "", deadLetterTopic, end, filter);
            run = new ReplayRun(id, filter, source.topic(), sourcePartitions, journal,
                    dryRun ? null : (Producer<byte[], byte[]>) producers.createProducer(), bounds.remembered());
            try {
                complete = stream(consumer, partitions, end, run);
            } catch (ReplayJournal.Unavailable e) {
                log.error("replay {} stopped: {}; no letter left unclaimed was sent, rerun the same filter", id, e.getMessage());
                run.firstError.compareAndSet(null, e.getMessage());
                complete = false;
            } finally {
                run.finish();
            }
        }
        ReplayReport report = new ReplayReport(id, dryRun, deadLetterTopic, source.topic(), run.scanned, run.matched,
                dryRun ? run.selected : run.acknowledged.get(), run.failed.get(), run.duplicates, run.skippedTruncated,
                run.skippedAlreadyReplayed, run.otherTopic, run.unreadable, run.byReason, end, complete,
                (System.nanoTime() - started) / 1_000_000, run.firstError.get());
        log.info("replay {} done: {} scanned, {} matched, {} {}, {} failed, {} duplicates, {} truncated and {} already replayed"
                + " skipped, complete {}", id, report.scanned(), report.matched(), report.replayed(),
                dryRun ? "would be replayed" : "replayed", report.failed(), report.duplicates(), report.skippedTruncated(),
                report.skippedAlreadyReplayed(), complete);
        return report;
    }

    private boolean stream(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<Integer, Long> end, ReplayRun run) {
        long lastProgress = System.nanoTime();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p.partition()))) {
            var records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > bounds.stallTimeout().toNanos()) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> letter : records) {
                if (letter.offset() < end.get(letter.partition())) {
                    run.letter(letter);
                }
            }
            run.endOfPoll();
        }
        return true;
    }
}
