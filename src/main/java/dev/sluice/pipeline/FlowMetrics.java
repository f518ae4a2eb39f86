package dev.sluice.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The flow's counters and timers ({@code sluice.*}). Thread-safe: Micrometer meters are, and the
 * local totals are {@link LongAdder}s so progress reports need no registry lookups.
 */
public final class FlowMetrics {

    private final MeterRegistry registry;
    private final Counter written;
    private final Counter duplicate;
    private final Map<RejectReason, Counter> deadLettered = new EnumMap<>(RejectReason.class);
    private final Counter fenced;
    private final Counter skipped;
    private final DistributionSummary batchSize;
    private final Timer transaction;
    private final Timer endToEnd;
    private final Timer commitLatency;
    private final LongAdder writtenTotal = new LongAdder();
    private final LongAdder duplicateTotal = new LongAdder();
    private final LongAdder deadLetteredTotal = new LongAdder();
    private final LongAdder retriesTotal = new LongAdder();
    private final LongAdder workersStarted = new LongAdder();

    public FlowMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.written = Counter.builder("sluice.records").tag("outcome", "written")
                .description("Records by outcome once durable").register(registry);
        this.duplicate = Counter.builder("sluice.records").tag("outcome", "duplicate")
                .description("Records by outcome once durable").register(registry);
        for (RejectReason reason : RejectReason.values()) {
            deadLettered.put(reason, Counter.builder("sluice.records.dead.lettered").tag("reason", reason.header())
                    .description("Records acknowledged on the dead-letter topic, by reason").register(registry));
        }
        this.fenced = Counter.builder("sluice.records.fenced")
                .description("Records not written because a newer owner claimed their partition (exactly-once)").register(registry);
        this.skipped = Counter.builder("sluice.records.skipped")
                .description("Polled records skipped because their effect was already durable (exactly-once)").register(registry);
        this.batchSize = DistributionSummary.builder("sluice.batch.size")
                .description("Records per sink transaction").register(registry);
        this.transaction = Timer.builder("sluice.sink.transaction")
                .description("Time to write and commit one batch").register(registry);
        this.endToEnd = Timer.builder("sluice.latency")
                .description("From the record's timestamp to its durable write").register(registry);
        this.commitLatency = Timer.builder("sluice.commit.latency")
                .description("From a record's completion (durable, or its dead letter acknowledged) to the Kafka commit of its offset")
                .register(registry);
        FunctionCounter.builder("sluice.retry.attempts", retriesTotal, LongAdder::sum)
                .description("Transient failures retried, all stages (by stage and cause: sluice.retries)").register(registry);
        FunctionCounter.builder("sluice.workers.started", workersStarted, LongAdder::sum)
                .description("Worker virtual threads started (none for a job whose step does not block: the direct path)")
                .register(registry);
    }

    /** A worker thread started. */
    public void workerStarted() {
        workersStarted.increment();
    }

    public long workersStartedTotal() {
        return workersStarted.sum();
    }

    public void written(int count) {
        written.increment(count);
        writtenTotal.add(count);
    }

    public void duplicate(int count) {
        duplicate.increment(count);
        duplicateTotal.add(count);
    }

    public void deadLettered(RejectReason reason) {
        deadLettered.get(reason).increment();
        deadLetteredTotal.increment();
    }

    /** A transient failure that will be retried, by stage ({@code sink}, {@code process}, {@code dead-letter}) and cause. */
    public void retried(String stage, String cause) {
        registry.counter("sluice.retries", "stage", stage, "cause", cause).increment();
        retriesTotal.increment();
    }

    public void fenced(int count) {
        fenced.increment(count);
    }

    public void skipped(int count) {
        skipped.increment(count);
    }

    public void batch(int size, long nanos) {
        batchSize.record(size);
        transaction.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void durable(long recordTimestampMillis) {
        long age = System.currentTimeMillis() - recordTimestampMillis;
        if (age >= 0) {
            endToEnd.record(Duration.ofMillis(age));
        }
    }

    /** A record's offset was committed {@code nanos} after it completed (poll thread). */
    public void commitLatency(long nanos) {
        if (nanos >= 0) {
            commitLatency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public long writtenTotal() {
        return writtenTotal.sum();
    }

    public long duplicateTotal() {
        return duplicateTotal.sum();
    }

    public long deadLetteredTotal() {
        return deadLetteredTotal.sum();
    }

    public long retriesTotal() {
        return retriesTotal.sum();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
