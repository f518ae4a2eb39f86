package dev.sluice.bench;

import dev.sluice.testinfra.SimulatedCall;
import dev.sluice.SluiceApplication;
import dev.sluice.testinfra.TestInfraProperties;
import dev.sluice.engine.Pipelines;
import dev.sluice.kafka.KafkaPipeline;
import dev.sluice.payments.Payment;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.ProcessStep;
import java.io.IOException;
import java.time.Duration;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * Sluice as shipped, in this JVM: {@link SluiceApplication} with the given {@code sluice.*}
 * settings, its own topic and group, the pipeline resumed by the benchmark. The only addition is a
 * {@link TimedStep} process step that notes when the first record arrives (and, for S2, blocks).
 */
final class SluiceUnderTest implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final TimedStep step;
    /** Samples the worker limit every 10 ms while records flow: its peak and mean for the diagnostics. */
    private final ScheduledExecutorService limitSampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("bench-limit-sampler").daemon(true).factory());
    private final AtomicLong limitPeak = new AtomicLong();
    private final AtomicLong limitSum = new AtomicLong();
    private final AtomicLong limitSamples = new AtomicLong();
    private final AtomicLong busySum = new AtomicLong();
    private final AtomicLong windowSum = new AtomicLong();
    private final AtomicLong inFlightSum = new AtomicLong();
    private final AtomicLong latencyMicrosSum = new AtomicLong();

    /** The pipeline measured: the ledger's, or a declarative job's. */
    private final String pipelineName;

    private SluiceUnderTest(ConfigurableApplicationContext context, TimedStep step, String pipelineName) {
        this.context = context;
        this.step = step;
        this.pipelineName = pipelineName;
        limitSampler.scheduleAtFixedRate(() -> {
            // a declarative job has no step of the benchmark's to note its first record: the first
            // sample with records in flight does, within one 10 ms period
            if (step.first.get() == 0 && !LEDGER.equals(pipelineName) && pipeline().status().inFlight() > 0) {
                step.first.compareAndSet(0, System.nanoTime());
            }
            if (step.first.get() != 0) {
                PipelineStatus status = pipeline().status();
                PipelineStatus.Workers workers = status.workers();
                int limit = workers.limit();
                busySum.addAndGet(workers.busy());
                windowSum.addAndGet(status.window().records());
                inFlightSum.addAndGet(status.inFlight());
                latencyMicrosSum.addAndGet((long) (workers.lastMillis() * 1000));
                limitPeak.accumulateAndGet(limit, Math::max);
                limitSum.addAndGet(limit);
                limitSamples.incrementAndGet();
            }
        }, 10, 10, TimeUnit.MILLISECONDS);
    }

    static final String LEDGER = "ledger";

    static SluiceUnderTest start(BenchInfra infra, String topic, String group, Map<String, String> settings, Duration stepDelay) {
        return start(infra, topic, group, settings, stepDelay, LEDGER);
    }

    /**
     * Sluice with one declarative job ({@code sluice.jobs.<job>.*} in {@code settings}, the ledger
     * off), measured as the ledger is; the ledger's topic and group stay set but are not read.
     */
    static SluiceUnderTest startJob(BenchInfra infra, String job, Map<String, String> settings) {
        return start(infra, "bench-unused-ledger-topic", "bench-unused-ledger-group", settings, Duration.ZERO, job);
    }

    private static SluiceUnderTest start(BenchInfra infra, String topic, String group, Map<String, String> settings,
            Duration stepDelay, String pipelineName) {
        TimedStep step = new TimedStep(stepDelay);
        Map<String, String> properties = new LinkedHashMap<>(properties(infra, topic, group));
        properties.putAll(settings);
        // command-line arguments: they take precedence over application.yml, as an operator's would
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SluiceApplication.class, TestKeys.class)
                .initializers(ctx -> {
                    ctx.getBeanFactory().registerSingleton("benchExcludeTestClasses", new TestClassesExcludeFilter());
                    ctx.getBeanFactory().registerSingleton("benchTimedStep", step);
                })
                .run(args);
        return new SluiceUnderTest(context, step, pipelineName);
    }

    /**
     * The build's own {@code sluice.test.infra} (a system property of the test JVM) declared here too:
     * the scan skips test classes, so the check for unknown {@code sluice.*} keys would refuse it.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(TestInfraProperties.class)
    static class TestKeys {
    }

    /** The properties Sluice needs to run against {@code infra}; everything else keeps its shipped default. */
    static Map<String, String> properties(BenchInfra infra, String topic, String group) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", infra.bootstrapServers());
        properties.put("spring.datasource.url", infra.jdbcUrl());
        properties.put("spring.datasource.username", infra.username());
        properties.put("spring.datasource.password", infra.password());
        properties.put("spring.kafka.consumer.group-id", group);
        properties.put("sluice.source.topic", topic);
        properties.put("sluice.source.dead-letter-topic", topic + ".DLT");
        properties.put("sluice.source.auto-startup", "false");
        properties.put("spring.main.web-application-type", "none");
        properties.put("spring.main.banner-mode", "off");
        // the Kafka client's own poll and commit times, for every contender alike
        properties.put("spring.kafka.consumer.properties.interceptor.classes", PollToCommit.class.getName());
        properties.put("logging.level.org.apache.kafka", "WARN");
        properties.put("logging.level.kafka", "WARN");
        properties.put("logging.level.org.springframework.kafka", "WARN");
        return properties;
    }

    KafkaPipeline<Payment> pipeline() {
        return context.getBean(Pipelines.class).pipeline(pipelineName);
    }

    /** Where the time went, from Sluice's own meters: batches, their size and time, backpressure. */
    String diagnostics() {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        DistributionSummary batches = registry.get("sluice.batch.size").summary();
        Timer transactions = registry.get("sluice.sink.transaction").timer();
        double paused = registry.get("sluice.backpressure.paused.time").functionCounter().count();
        double pauses = registry.get("sluice.backpressure.pauses").functionCounter().count();
        long samples = Math.max(1, limitSamples.get());
        return String.format(Locale.ROOT, "%,d batches of %.0f records on average, %.1f ms per transaction, paused by the in-flight bound %.0f times for %.2f s, "
                        + "worker limit (%s) mean %d, peak %d, busy mean %d, last time per record mean %.1f ms, window mean %d, in flight mean %d",
                batches.count(), batches.mean(), transactions.mean(TimeUnit.MILLISECONDS), pauses, paused,
                pipeline().status().workers().mode(), limitSum.get() / samples, limitPeak.get(), busySum.get() / samples,
                latencyMicrosSum.get() / 1000.0 / samples, windowSum.get() / samples, inFlightSum.get() / samples);
    }

    /** The sum of a counter's every series (0 when none is registered). */
    double counter(String name) {
        return context.getBean(MeterRegistry.class).find(name).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** System.nanoTime() of the first record the process step saw since the last reset, or 0. */
    long firstRecordNanos() {
        return step.first.get();
    }

    void resetFirstRecord() {
        step.first.set(0);
    }

    @Override
    public void close() throws InterruptedException {
        limitSampler.shutdownNow();
        pipeline().abort();
        pipeline().awaitStopped(Duration.ofSeconds(10));
        context.close();
    }

    /**
     * Notes the first record it sees; blocks {@code delay} per record (a stand-in for an enrichment
     * call). Without a delay it does not block, as the shipped identity step, so S1 measures the
     * path a job without a step takes.
     */
    static final class TimedStep implements ProcessStep<Payment> {
        final AtomicLong first = new AtomicLong();
        private final Duration delay;

        TimedStep(Duration delay) {
            this.delay = delay;
        }

        @Override
        public Payment apply(Payment payment) throws InterruptedException {
            if (first.get() == 0) {
                first.compareAndSet(0, System.nanoTime());
            }
            SimulatedCall.take(delay);
            return payment;
        }

        @Override
        public boolean blocks() {
            return !delay.isZero();
        }
    }

    /**
     * Keeps test classes (the tests' own configurations and process steps) out of the application's
     * component scan: the benchmark runs the main code only, plus what it registers explicitly.
     */
    static final class TestClassesExcludeFilter extends TypeExcludeFilter {
        @Override
        public boolean match(MetadataReader reader, MetadataReaderFactory factory) throws IOException {
            return reader.getResource().getURL().toString().contains("/test-classes/");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TestClassesExcludeFilter;
        }

        @Override
        public int hashCode() {
            return TestClassesExcludeFilter.class.hashCode();
        }
    }
}
