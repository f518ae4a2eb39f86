package dev.sluice.bench;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Each record's time from the poll that returned it to the Kafka commit of its offset, measured
 * by the Kafka client itself for every contender alike (Sluice and the naive listener set it as
 * {@code interceptor.classes}): {@link #onConsume} notes when each partition's records were polled,
 * {@link #onCommit} counts them once an offset commit covers them. Only the topic being measured
 * ({@link #measure}) is counted, weighted by records, so the percentiles are per record and the
 * records-weighted mean time × rate is the mean in flight (Little's law).
 *
 * <p>Instantiated by the Kafka client (one per consumer, public no-argument constructor); the
 * state is static and thread-safe, since several consumers of one contender share it.
 */
public final class PollToCommit implements ConsumerInterceptor<Object, Object> {

    /** A poll's records of one partition not yet committed: offsets [from, to), polled at {@code nanos}. */
    private record Chunk(long from, long to, long nanos) {
    }

    private static volatile String topic;
    private static final Map<TopicPartition, ArrayDeque<Chunk>> pending = new ConcurrentHashMap<>();
    /** Microseconds from poll to commit, one count per record; guarded by itself. */
    private static final Histogram histogram = new Histogram(3_600_000_000L, 2);
    /** Records × microseconds in flight, for the mean in flight; guarded by {@code histogram}. */
    private static double recordMicros;

    /** What one contender's run measured. */
    record Snapshot(long records, double p50Millis, double p99Millis, double meanMillis, double recordSeconds) {

        /** Mean records in flight over {@code seconds}: Σ (records × time in flight) ÷ the run's time. */
        double meanInFlight(double seconds) {
            return seconds > 0 ? recordSeconds / seconds : 0;
        }

        /** "in flight mean 9,812 (0.49× the bound), poll to commit p50 180 / p99 420 ms". */
        String describe(double seconds, int bound) {
            if (records == 0) {
                return "–";
            }
            double inFlight = meanInFlight(seconds);
            return String.format(Locale.ROOT, "%,.0f%s · %.0f / %.0f ms", inFlight,
                    bound > 0 ? String.format(Locale.ROOT, " (%.2f×)", inFlight / bound) : "", p50Millis, p99Millis);
        }
    }

    /** Starts measuring {@code measured} from nothing (the previous contender's counts are dropped). */
    static void measure(String measured) {
        synchronized (histogram) {
            topic = measured;
            pending.clear();
            histogram.reset();
            recordMicros = 0;
        }
    }

    static Snapshot snapshot() {
        synchronized (histogram) {
            long count = histogram.getTotalCount();
            return new Snapshot(count, histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                    count == 0 ? 0 : histogram.getMean() / 1000.0, recordMicros / 1e6);
        }
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        String measured = topic;
        if (measured == null || records.isEmpty()) {
            return records;
        }
        long now = System.nanoTime();
        for (TopicPartition partition : records.partitions()) {
            if (!partition.topic().equals(measured)) {
                continue;
            }
            var polled = records.records(partition);
            long from = polled.getFirst().offset();
            long to = polled.getLast().offset() + 1;
            ArrayDeque<Chunk> chunks = pending.computeIfAbsent(partition, p -> new ArrayDeque<>());
            synchronized (chunks) {
                chunks.addLast(new Chunk(from, to, now));
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        long now = System.nanoTime();
        offsets.forEach((partition, offset) -> {
            ArrayDeque<Chunk> chunks = pending.get(partition);
            if (chunks == null) {
                return;
            }
            synchronized (chunks) {
                while (!chunks.isEmpty() && chunks.peekFirst().from() < offset.offset()) {
                    Chunk chunk = chunks.pollFirst();
                    long committedTo = Math.min(chunk.to(), offset.offset());
                    record(committedTo - chunk.from(), (now - chunk.nanos()) / 1000);
                    if (committedTo < chunk.to()) {
                        chunks.addFirst(new Chunk(committedTo, chunk.to(), chunk.nanos()));
                        break;
                    }
                }
            }
        });
    }

    private static void record(long records, long micros) {
        if (records <= 0) {
            return;
        }
        synchronized (histogram) {
            histogram.recordValueWithCount(Math.max(0, micros), records);
            recordMicros += (double) records * micros;
        }
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
