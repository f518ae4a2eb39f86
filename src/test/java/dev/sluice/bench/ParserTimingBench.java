package dev.sluice.bench;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentParser;
import dev.sluice.payments.PaymentProperties;
import dev.sluice.pipeline.Decoded;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import org.springframework.util.unit.DataSize;

/**
 * CPU and allocation per decoded payment of whichever {@link PaymentParser} is on the class path,
 * on one thread, after a JIT warm-up: run it with this tree's classes and with another tree's
 * (e.g. main's) to compare the two. Values are the benchmark's shape (~150 B, timestamps with and
 * without a fraction). Run: {@code java -cp <classes>:<test-classes>:<deps> dev.sluice.bench.ParserTimingBench [records] [rounds]}.
 */
final class ParserTimingBench {

    private ParserTimingBench() {
    }

    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SplittableRandom random = new SplittableRandom(14);
        long from = Instant.parse("2020-01-01T00:00:00Z").getEpochSecond();
        byte[][] values = new byte[records][];
        for (int i = 0; i < records; i++) {
            Instant at = Instant.ofEpochSecond(from + random.nextLong(10L * 365 * 86_400), i % 2 == 0 ? 0 : random.nextInt(1_000_000) * 1000);
            values[i] = PaymentGenerator.json(new Payment("pay-%09d".formatted(i), "acc-" + random.nextInt(100_000),
                    random.nextLong(1, 100_000), "EUR", at));
        }
        PaymentParser parser = new PaymentParser(new PaymentProperties(DataSize.ofKilobytes(16), 16));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long accepted = 0;
        for (int warm = 0; warm < 3; warm++) {
            for (byte[] value : values) {
                accepted += parser.decode(null, value) instanceof Decoded.Accepted ? 1 : 0;
            }
        }
        for (int round = 1; round <= rounds; round++) {
            long cpu = threads.getThreadCpuTime(id);
            long allocated = threads.getThreadAllocatedBytes(id);
            for (byte[] value : values) {
                accepted += parser.decode(null, value) instanceof Decoded.Accepted ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "round %d: %.0f ns CPU and %.0f bytes allocated per record%n", round,
                    (threads.getThreadCpuTime(id) - cpu) / (double) records,
                    (threads.getThreadAllocatedBytes(id) - allocated) / (double) records);
        }
        if (accepted != (long) records * (rounds + 3)) {
            throw new IllegalStateException("every generated payment must be accepted: " + accepted);
        }
        System.out.println("sample: " + new String(values[1], java.nio.charset.StandardCharsets.UTF_8));
    }
}
