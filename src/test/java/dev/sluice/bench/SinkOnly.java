package dev.sluice.bench;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.payments.LedgerWriter;
import dev.sluice.payments.Payment;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.postgres.TransactionalBatchSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The ceiling "sink only": Sluice's own {@link LedgerWriter} in a {@link TransactionalBatchSink},
 * fed pre-generated payments from memory in batches of the same size on the same number of sink
 * threads — the ledger writes without Kafka, decoding or dispatch.
 */
final class SinkOnly {

    private SinkOnly() {
    }

    /** Writes every payment; returns the elapsed nanoseconds. */
    static long run(DataSource dataSource, List<Payment> payments, int batchSize, int threads) throws InterruptedException {
        List<List<SinkItem<Payment>>> batches = new ArrayList<>();
        List<SinkItem<Payment>> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < payments.size(); i++) {
            RecordRef ref = new RecordRef(new PartitionId("memory", i % Dataset.PARTITIONS), 0, i, 150);
            batch.add(new SinkItem<>(new InboundRecord(ref, null, null, 0), payments.get(i)));
            if (batch.size() == batchSize) {
                batches.add(batch);
                batch = new ArrayList<>(batchSize);
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        TransactionalBatchSink<Payment> sink = new TransactionalBatchSink<>(dataSource, new LedgerWriter());
        AtomicInteger next = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            writers.add(Thread.ofVirtual().name("bench-sink-" + t).start(() -> {
                for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                    try {
                        sink.write(batches.get(i));
                    } catch (TransientSinkException | InterruptedException e) {
                        throw new IllegalStateException("sink-only write failed", e);
                    }
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        return System.nanoTime() - started;
    }
}
