package dev.sluice.kafka;

import static dev.sluice.kafka.DeadLetterHeaders.REASON;
import static dev.sluice.kafka.DeadLetterHeaders.REPLAY_OF;
import static dev.sluice.kafka.DeadLetterHeaders.REPLAY_RUN;
import static dev.sluice.kafka.DeadLetterHeaders.SOURCE_OFFSET;
import static dev.sluice.kafka.DeadLetterHeaders.SOURCE_PARTITION;
import static dev.sluice.kafka.DeadLetterHeaders.SOURCE_TOPIC;

import dev.sluice.pipeline.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replay run's decisions over the dead letters it reads (see {@link DeadLetterReplay}): which
 * to skip and why, the journal claim of each poll's selection before any of it is sent, the sends,
 * and the counters of its {@link ReplayReport}.
 *
 * <p>Confined to the replaying thread, except the atomics and the two settled collections, which
 * the producer's callbacks also write (the replaying thread drains them into the journal).
 */
final class ReplayRun {

    private static final Logger log = LoggerFactory.getLogger(ReplayRun.class);
    /** Truncated dead letters logged one by one per run; the rest only in the run's summary. */
    private static final int LOGGED_TRUNCATED = 10;

    final String id;
    final ReplayFilter filter;
    final boolean dryRun;
    private final String sourceTopic;
    private final ReplayJournal journal;
    /** Null for a dry run. */
    private final Producer<byte[], byte[]> producer;
    private final int sourcePartitions;
    /** The selection of the current poll, not yet claimed. */
    private final List<Selected> batch = new ArrayList<>();
    /** Source positions selected in this run, the oldest forgotten beyond {@code sluice.replay.remembered}. */
    private final Map<String, Boolean> seen;
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
    private final Queue<ReplayJournal.Position> sent = new ConcurrentLinkedQueue<>();
    private final Map<ReplayJournal.Position, String> unconfirmed = new ConcurrentHashMap<>();

    ReplayRun(String id, ReplayFilter filter, String sourceTopic, int sourcePartitions, ReplayJournal journal,
            Producer<byte[], byte[]> producer, int remembered) {
        this.id = id;
        this.filter = filter;
        this.dryRun = producer == null;
        this.sourceTopic = sourceTopic;
        this.sourcePartitions = sourcePartitions;
        this.journal = journal;
        this.producer = producer;
        this.seen = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > remembered;
            }
        };
    }

    /** Takes one dead letter of the range read; sends (or counts) it at the end of the poll. */
    void letter(ConsumerRecord<byte[], byte[]> letter) {
        scanned++;
        Selected chosen = consider(letter);
        if (chosen != null) {
            batch.add(chosen);
            if (filter.limit() != null && selected + batch.size() >= filter.limit()) {
                publish();
            }
        }
    }

    /** The poll's letters are all taken: claim and send the selection, settle what the broker answered. */
    void endOfPoll() {
        publish();
        settle();
    }

    /** Waits for every send of the run and settles them in the journal. */
    void finish() {
        if (producer != null) {
            // the factory's shared producer (the pipeline's too): wait for this run's sends, do not close it
            producer.flush();
            settle();
        }
    }

    private Selected consider(ConsumerRecord<byte[], byte[]> letter) {
        Headers headers = letter.headers();
        String topic = DeadLetterHeaders.text(headers, SOURCE_TOPIC);
        RejectReason reason = reason(DeadLetterHeaders.text(headers, REASON));
        Integer partition = integer(DeadLetterHeaders.text(headers, SOURCE_PARTITION));
        Long offset = longValue(DeadLetterHeaders.text(headers, SOURCE_OFFSET));
        if (topic == null || reason == null || partition == null || offset == null) {
            unreadable++;
            return null;
        }
        if (!topic.equals(sourceTopic)) {
            otherTopic++;
            return null;
        }
        if (!filter.matches(reason, partition, offset, letter.timestamp())) {
            return null;
        }
        matched++;
        String deadLetter = letter.topic() + "-" + letter.partition() + "@" + letter.offset();
        String truncated = DeadLetterHeaders.text(headers, KafkaDeadLetters.TRUNCATED);
        if (truncated != null) {
            if (++skippedTruncated <= LOGGED_TRUNCATED) {
                log.warn("replay {}: dead letter {} is a truncated copy ({} {}), not the original: not sent back; the original"
                        + " is {}-{}@{} on the source topic while its retention keeps it", id, deadLetter,
                        KafkaDeadLetters.TRUNCATED, truncated, topic, partition, offset);
            }
            return null;
        }
        if (filter.limit() != null && selected + batch.size() >= filter.limit()) {
            return null;
        }
        if (seen.put(partition + "@" + offset, Boolean.TRUE) != null) {
            duplicates++;
            return null;
        }
        return new Selected(letter, reason, new ReplayJournal.Position(topic, partition, offset, deadLetter));
    }

    /** Claims the batch in the journal (a dry run only reads it), sends what the claim recorded, and clears the batch. */
    private void publish() {
        if (batch.isEmpty()) {
            return;
        }
        List<ReplayJournal.Position> positions = batch.stream().map(Selected::position).toList();
        Set<String> ours;
        if (dryRun) {
            Set<String> recorded = journal.recorded(positions);
            ours = new HashSet<>();
            positions.stream().map(ReplayJournal.Position::key).filter(key -> !recorded.contains(key)).forEach(ours::add);
        } else {
            ours = new HashSet<>(journal.claim(id, positions));
        }
        for (Selected chosen : batch) {
            // removed once taken: two letters of one record in one batch (beyond remembered) send it once
            if (!ours.remove(chosen.position().key())) {
                skippedAlreadyReplayed++;
                continue;
            }
            selected++;
            byReason.merge(chosen.reason().header(), 1L, Long::sum);
            if (!dryRun) {
                send(chosen);
            }
        }
        batch.clear();
    }

    private void send(Selected chosen) {
        ReplayJournal.Position position = chosen.position();
        Headers originals = DeadLetterHeaders.originals(chosen.letter().headers());
        originals.remove(REPLAY_OF);
        originals.remove(REPLAY_RUN);
        originals.add(REPLAY_OF, utf8(position.deadLetter()));
        originals.add(REPLAY_RUN, utf8(id));
        // the original partition keeps the record behind its key's earlier records (when it still exists)
        Integer target = position.partition() < sourcePartitions ? position.partition() : null;
        try {
            producer.send(new ProducerRecord<>(position.topic(), target, null, chosen.letter().key(), chosen.letter().value(),
                    originals), (metadata, error) -> {
                        if (error == null) {
                            acknowledged.incrementAndGet();
                            sent.add(position);
                        } else {
                            failed(position, error.toString());
                        }
                    });
        } catch (KafkaException e) {
            // refused before it left (metadata not available within max.block.ms, a full buffer): not sent
            failed(position, "not sent: " + e);
        }
    }

    private void failed(ReplayJournal.Position position, String error) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, error);
        unconfirmed.put(position, error);
    }

    /** Writes the outcomes of the sends answered so far; a failure leaves their rows {@code sending} (never re-sent), logged. */
    private void settle() {
        if (dryRun) {
            return;
        }
        List<ReplayJournal.Position> acked = new ArrayList<>();
        for (ReplayJournal.Position position; (position = sent.poll()) != null; ) {
            acked.add(position);
        }
        Map<ReplayJournal.Position, String> refused = new HashMap<>();
        for (ReplayJournal.Position position : List.copyOf(unconfirmed.keySet())) {
            refused.put(position, unconfirmed.remove(position));
        }
        try {
            journal.settle(id, acked, refused);
        } catch (ReplayJournal.Unavailable e) {
            log.warn("replay {}: {} sends not settled in the journal ({}); their rows stay 'sending', still never re-sent",
                    id, acked.size() + refused.size(), e.getMessage());
        }
    }

    /** One dead letter the run means to send back, once the journal agrees. */
    private record Selected(ConsumerRecord<byte[], byte[]> letter, RejectReason reason, ReplayJournal.Position position) {
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
