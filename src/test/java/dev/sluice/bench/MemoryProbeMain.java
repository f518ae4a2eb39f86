package dev.sluice.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * S4's separate Sluice process: runs Sluice on a backlog for a fixed window (or until it has
 * written {@code expected} records), then prints one {@code BENCH-MEMORY} line: peak heap after GC
 * (the live set, from GC notifications), peak heap used (sampled), VmHWM (peak RSS) and records
 * written. A full GC every 500 ms while it runs makes "after GC" the live set (a long run would
 * otherwise show more old-generation garbage than a short one, which is not retention). Arguments are Spring properties ({@code --key=value}); {@code bench.window-ms} and
 * {@code bench.expected} are its own.
 */
public final class MemoryProbeMain {

    private MemoryProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            properties.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        long windowMillis = Long.parseLong(properties.remove("bench.window-ms"));
        long expected = Long.parseLong(properties.remove("bench.expected"));
        AtomicLong peakAfterGc = new AtomicLong();
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                    long live = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                            .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                    peakAfterGc.accumulateAndGet(live, Math::max);
                }
            }, null, null);
        }
        AtomicLong peakUsed = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("bench-heap-sampler").daemon(true).factory());
        sampler.scheduleAtFixedRate(() -> peakUsed.accumulateAndGet(
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max), 0, 10, TimeUnit.MILLISECONDS);
        // a full collection every 500 ms: what survives it is the live set, not garbage G1 has not reached yet
        sampler.scheduleAtFixedRate(System::gc, 0, 500, TimeUnit.MILLISECONDS);

        String topic = properties.get("sluice.source.topic");
        String group = properties.get("spring.kafka.consumer.group-id");
        BenchInfra infra = new BenchInfra(properties.get("spring.kafka.bootstrap-servers"), properties.get("spring.datasource.url"),
                properties.get("spring.datasource.username"), properties.getOrDefault("spring.datasource.password", ""), "");
        SluiceUnderTest sluice = SluiceUnderTest.start(infra, topic, group, properties, Duration.ZERO);
        long started = System.nanoTime();
        sluice.pipeline().resume();
        try {
            Awaitility.await().atMost(Duration.ofMillis(windowMillis)).pollInterval(Duration.ofMillis(20))
                    .until(() -> sluice.pipeline().status().totals().written() >= expected);
        } catch (ConditionTimeoutException e) {
            // the window ended first: measured over the whole window, as intended for the big backlog
        }
        long written = sluice.pipeline().status().totals().written();
        double seconds = (System.nanoTime() - started) / 1e9;
        String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .map(l -> l.replaceAll("\\D", "")).findFirst().orElse("0");
        System.out.printf("BENCH-MEMORY peakAfterGc=%d peakUsed=%d vmHwmKb=%s written=%d seconds=%.2f%n",
                peakAfterGc.get(), peakUsed.get(), hwm, written, seconds);
        System.out.flush();
        sampler.shutdownNow();
        sluice.close();
        System.exit(0);
    }
}
