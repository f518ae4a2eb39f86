package dev.sluice.bench;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentParser;
import dev.sluice.payments.PaymentProperties;
import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.Completions;
import dev.sluice.pipeline.DeadLetters;
import dev.sluice.pipeline.DirectIntake;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.KeyedDispatcher;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.RecordIntake;
import dev.sluice.pipeline.RecordWorker;
import dev.sluice.pipeline.Rejection;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.SinkStage;
import dev.sluice.pipeline.WorkerLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.springframework.util.unit.DataSize;

/**
 * The JVM CPU per record of the stages between the poll and the sink, without Kafka or PostgreSQL:
 * the worker lanes (a step that blocks, so one virtual thread hop per record) against the direct
 * path (the identity step: the poll thread decodes and hands each poll to the shards), on the
 * benchmark's payments (100k accounts, 8 partitions, polls of 2000, 4 sink shards writing to a
 * sink that returns at once, at most 20,000 in flight), alternating rounds. Process CPU time ÷
 * records, so every thread counts (poll, workers, shards, GC, JIT). Run:
 * {@code java -cp <classes>:<test-classes>:<deps> dev.sluice.bench.IntakeCpuBench [records] [rounds]}.
 */
final class IntakeCpuBench {

    private static final int POLL = 2000;
    private static final int IN_FLIGHT = 20_000;

    private IntakeCpuBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        InboundRecord[] polled = payments(records);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ProcessStep<Payment> blocking = payment -> payment;
        for (int round = 0; round < rounds + 2; round++) {
            for (ProcessStep<Payment> step : List.of(blocking, ProcessStep.<Payment>identity())) {
                long cpu = os.getProcessCpuTime();
                long wall = System.nanoTime();
                run(polled, step);
                double perRecord = (os.getProcessCpuTime() - cpu) / 1000.0 / records;
                if (round >= 2) {
                    System.out.printf(Locale.ROOT, "round %d %-6s %.2f µs CPU per record, %.0f records/s%n", round - 1,
                            step.blocks() ? "lanes" : "direct", perRecord, records / ((System.nanoTime() - wall) / 1e9));
                }
            }
        }
    }

    private static void run(InboundRecord[] polled, ProcessStep<Payment> step) throws InterruptedException {
        Backoff backoff = new Backoff(new RetryProperties(Duration.ofMillis(1), Duration.ofMillis(10), 2.0, 0.2));
        FlowMetrics metrics = new FlowMetrics(new SimpleMeterRegistry());
        Completions completions = new Completions(IN_FLIGHT);
        DeadLetters deadLetters = new DeadLetters() {
            @Override
            public void publish(InboundRecord record, Rejection rejection, Runnable onAcknowledged) {
                onAcknowledged.run();
            }

            @Override
            public void cancelAll() {
            }
        };
        BatchSink<Payment> sink = new BatchSink<>() {
            @Override
            public List<SinkOutcome> write(List<SinkItem<Payment>> batch) {
                return Collections.nCopies(batch.size(), SinkOutcome.WRITTEN);
            }

            @Override
            public void cancelAll() {
            }
        };
        SinkStage<Payment> stage = new SinkStage<>(new BatchProperties(2000, Duration.ofMillis(20), 4), IN_FLIGHT, sink, deadLetters,
                completions, backoff, metrics, (where, error) -> error.printStackTrace());
        stage.start();
        RecordWorker<Payment> stages = new RecordWorker<>(new PaymentParser(new PaymentProperties(DataSize.ofKilobytes(16), 16)),
                step, stage, deadLetters, completions, backoff, metrics);
        RecordIntake intake = step.blocks()
                ? new KeyedDispatcher(WorkerLimit.fixed(1000), stages, (where, error) -> error.printStackTrace())
                : new DirectIntake<>(stages, stage, () -> false);
        int inFlight = 0;
        int next = 0;
        while (next < polled.length || inFlight > 0) {
            inFlight -= completions.drain().size();
            if (next < polled.length && inFlight + POLL <= IN_FLIGHT) {
                int end = Math.min(polled.length, next + POLL);
                for (; next < end; next++) {
                    intake.submit(polled[next]);
                    inFlight++;
                }
                intake.endOfPoll();
            } else if (inFlight > 0) {
                inFlight -= completions.await(50).size();
            }
        }
        intake.cancel();
        intake.awaitIdle(Duration.ofSeconds(5));
        stage.cancel();
        stage.join(Duration.ofSeconds(5));
    }

    private static InboundRecord[] payments(int records) {
        SplittableRandom random = new SplittableRandom(22);
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        InboundRecord[] polled = new InboundRecord[records];
        long[] offsets = new long[8];
        for (int i = 0; i < records; i++) {
            String account = "acc-" + random.nextInt(100_000);
            int partition = Math.floorMod(account.hashCode(), 8);
            byte[] value = PaymentGenerator.json(new Payment("pay-%09d".formatted(i), account, random.nextLong(1, 100_000), "EUR",
                    at.plusMillis(i)));
            polled[i] = new InboundRecord(new RecordRef(new PartitionId("bench", partition), 1, offsets[partition]++, value.length),
                    account.getBytes(StandardCharsets.UTF_8), value, System.currentTimeMillis());
        }
        return polled;
    }
}
