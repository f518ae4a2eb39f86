package dev.sluice.kafka;

import dev.sluice.pipeline.AdaptiveWindow;
import dev.sluice.pipeline.Backoff;
import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.Completions;
import dev.sluice.pipeline.DirectIntake;
import dev.sluice.pipeline.Failures;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.KeyedDispatcher;
import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.PrefetchGate;
import dev.sluice.pipeline.ProcessStep;
import dev.sluice.pipeline.ProgressStore;
import dev.sluice.pipeline.RecordDecoder;
import dev.sluice.pipeline.RecordIntake;
import dev.sluice.pipeline.RecordWorker;
import dev.sluice.pipeline.ShutdownProperties.StopMode;
import dev.sluice.pipeline.SinkStage;
import dev.sluice.pipeline.StopReport;
import dev.sluice.pipeline.WorkerLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * The pipeline as operators and Spring see it: each start or resume creates a run (a fresh
 * consumer, poll thread, workers and sink threads) and each drain or abort ends it. Stops in a
 * {@link SmartLifecycle} phase before the web server, the Kafka producer and the DataSource close.
 *
 * <p>Thread-safe: the lifecycle is the single owner of the state; {@code run} is replaced only
 * under {@code this}, and only while STOPPED.
 */
public final class KafkaPipeline<T> implements PipelineControl, SmartLifecycle {

    /** Stops first (highest phase), while the web server and connections are still up. */
    public static final int PHASE = Integer.MAX_VALUE - 100;
    private static final Logger log = LoggerFactory.getLogger(KafkaPipeline.class);
    /** Client settings the consumer group protocol (KIP-848) refuses. */
    private static final List<String> CLASSIC_ONLY = List.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);

    private final ConsumerFactory<?, ?> consumerFactory;
    private final Producer<byte[], byte[]> producer;
    private final RecordDecoder<T> decoder;
    private final ProcessStep<T> step;
    private final BatchSink<T> sink;
    /** Exactly-once progress (claims, compaction), or null in at-least-once mode. */
    private final ProgressStore progress;
    private final PipelineSettings settings;
    private final FlowMetrics metrics;
    private final Backoff backoff;
    private final ObservationRegistry observations;
    private final Lifecycle lifecycle = new Lifecycle();
    private final AtomicLong runs = new AtomicLong();
    /** The current or last run; replaced under {@code this}, only while STOPPED. */
    private volatile PollLoop run;
    /** The current stop's deadline and reason; replaced whole by the operations, read by the run's poll thread. */
    private volatile StopRequest stopRequest = StopRequest.NONE;
    private final List<Failures.Listener> failureListeners = new CopyOnWriteArrayList<>();
    private volatile PrefetchGate gate;
    /** The current run's dispatcher (worker lanes, or the direct path), for the status; null before the first run. */
    private volatile RecordIntake dispatcher;
    /** The worker limit, kept across runs: a resumed run starts where the last one left it. Thread-safe. */
    private final WorkerLimit workerLimit;
    private volatile StopReport lastStop;

    /** At-least-once, no observations (tests). */
    public KafkaPipeline(ConsumerFactory<?, ?> consumerFactory, Producer<byte[], byte[]> producer, RecordDecoder<T> decoder,
            ProcessStep<T> step, BatchSink<T> sink, PipelineSettings settings, MeterRegistry registry) {
        this(consumerFactory, producer, decoder, step, sink, null, settings, registry, ObservationRegistry.NOOP);
    }

    /**
     * @param progress exactly-once when given (it must be the store the sink records into); null for at-least-once
     * @param observations observes each dead-letter publish (a span when tracing is configured)
     */
    public KafkaPipeline(ConsumerFactory<?, ?> consumerFactory, Producer<byte[], byte[]> producer, RecordDecoder<T> decoder,
            ProcessStep<T> step, BatchSink<T> sink, ProgressStore progress, PipelineSettings settings, MeterRegistry registry,
            ObservationRegistry observations) {
        this.progress = progress;
        this.observations = observations;
        this.consumerFactory = consumerFactory;
        this.producer = producer;
        this.decoder = decoder;
        this.step = step;
        this.sink = sink;
        this.settings = settings;
        this.metrics = new FlowMetrics(registry);
        this.backoff = new Backoff(settings.retry());
        this.workerLimit = WorkerLimit.of(settings.flow());
        registerGauges(registry);
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    public FlowMetrics metrics() {
        return metrics;
    }

    // ---- operations ----

    /**
     * STOPPED → RUNNING with a new run. The run (consumer, threads) is created first, while still
     * STOPPED: if that fails, the pipeline stays STOPPED and the error is thrown, never RUNNING
     * without a poll thread. A drain or abort requested right after the move is kept in
     * {@link #stopRequest} and seen by the new run.
     */
    @Override
    public synchronized PipelineState resume() {
        PollLoop previous = run;
        if (lifecycle.state() != PipelineState.STOPPED) {
            return lifecycle.state();
        }
        if (previous != null) {
            try {
                // STOPPED is the previous run's last act; let its thread end before a new one starts
                if (!previous.join(Duration.ofSeconds(5))) {
                    log.warn("the previous poll thread has not ended yet; starting the new run anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return lifecycle.state();
            }
        }
        PollLoop next;
        try {
            next = newRun();
        } catch (RuntimeException e) {
            log.error("resume failed: the run could not be created; staying STOPPED", e);
            throw new IllegalStateException("resume failed, pipeline stays STOPPED: " + e.getMessage(), e);
        }
        stopRequest = StopRequest.NONE;
        run = next;
        if (lifecycle.moveTo(PipelineState.STOPPED, PipelineState.RUNNING)) {
            next.start();
        }
        return lifecycle.state();
    }

    @Override
    public PipelineState drain(Duration deadline) {
        return drain(deadline, "operator request");
    }

    /**
     * Starts a drain, or, when one is running already, keeps the earlier of its deadline and this one
     * (a later request can shorten a drain, never lengthen it): SIGTERM during an operator's longer
     * drain ends within the shutdown's own deadline.
     */
    PipelineState drain(Duration deadline, String reason) {
        long requested = System.nanoTime() + deadline.toNanos();
        PipelineState state = lifecycle.state();
        if (state == PipelineState.RUNNING) {
            stopRequest = new StopRequest(requested, reason);
        } else if (state == PipelineState.DRAINING) {
            StopRequest current = stopRequest;
            if (current.drainDeadlineNanos() == Long.MAX_VALUE || current.drainDeadlineNanos() - requested > 0) {
                stopRequest = new StopRequest(requested, reason);
                wakeRun();
            }
        }
        if (lifecycle.moveTo(PipelineState.RUNNING, PipelineState.DRAINING)) {
            wakeRun();
        }
        return lifecycle.state();
    }

    @Override
    public PipelineState abort() {
        return abort("operator request");
    }

    PipelineState abort(String reason) {
        PipelineState state = lifecycle.state();
        if (state == PipelineState.RUNNING || state == PipelineState.DRAINING) {
            stopRequest = new StopRequest(stopRequest.drainDeadlineNanos(), reason);
            if (lifecycle.moveTo(state, PipelineState.ABORTING)) {
                PollLoop current = run;
                if (current != null) {
                    // the poll thread may be inside a claim, which no wakeup reaches
                    current.abortClaims();
                }
                wakeRun();
            }
        }
        return lifecycle.state();
    }

    /** A fatal error on the poll thread or a stage's thread: the run aborts, and the failure is reported. */
    private void failed(String where, Throwable error) {
        log.error("pipeline failed in {}; aborting (the durable prefix is committed)", where, error);
        abort("failure in " + where + ": " + error);
        failureListeners.forEach(listener -> listener.failed(where, error));
    }

    @Override
    public void onFailure(Failures.Listener listener) {
        failureListeners.add(listener);
    }

    @Override
    public void onTransition(BiConsumer<PipelineState, PipelineState> listener) {
        lifecycle.onTransition(listener);
    }

    private void wakeRun() {
        PollLoop current = run;
        if (current != null) {
            current.wake();
        }
    }

    /** Stops without a final commit, as a crash would (tests). */
    void halt() {
        PollLoop current = run;
        if (current != null) {
            current.halt();
        }
    }

    @Override
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return lifecycle.await(PipelineState.STOPPED, timeout);
    }

    @Override
    public PipelineStatus status() {
        PollLoop current = run;
        PrefetchGate currentGate = gate;
        RecordIntake currentDispatcher = dispatcher;
        PipelineState state = lifecycle.state();
        return new PipelineStatus(state,
                current == null ? 0 : current.inFlight(), settings.flow().maxInFlight(),
                currentGate == null ? 0 : currentGate.inFlightBytes(), settings.flow().maxInFlightBytes().toBytes(),
                currentGate != null && currentGate.paused() && state == PipelineState.RUNNING,
                current == null ? 0 : current.oldestInFlightMillis(),
                current == null ? Map.of() : current.partitionView(),
                new PipelineStatus.Totals(metrics.writtenTotal(), metrics.duplicateTotal(), metrics.deadLetteredTotal(),
                        metrics.retriesTotal()),
                lastStop,
                currentGate == null ? PipelineStatus.Window.of(settings.flow(), idleWindow(), settings.flow().effectiveMinInFlight())
                        : PipelineStatus.Window.of(settings.flow(), currentGate.window(), currentGate.minWindow()),
                PipelineStatus.Workers.of(workerLimit, currentDispatcher == null ? 0 : currentDispatcher.busy()));
    }

    private AdaptiveWindow.Decision idleWindow() {
        return new AdaptiveWindow(settings.flow().windowSettings(1), 0, settings.flow().effectiveMinInFlight()).current();
    }

    private PollLoop newRun() {
        long number = runs.incrementAndGet();
        Properties overrides = new Properties();
        int maxPollRecords = Math.min(configuredInt(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500),
                Math.max(1, settings.flow().maxInFlight() / 4));
        long maxPollBytes = Math.max(1024, settings.flow().maxInFlightBytes().toBytes() / 4);
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (classicProtocol() && configured(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG) == null) {
            // incremental rebalances for the classic protocol; KIP-848's consumer protocol assigns on
            // the broker and refuses a client assignor, so none is set for it
            overrides.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        overrides.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Long.toString(Math.min(maxPollBytes,
                configuredInt(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 52_428_800))));
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Consumer<byte[], byte[]> consumer = createConsumer(number, overrides);

        int maxInFlight = settings.flow().maxInFlight();
        PrefetchGate previousGate = gate;
        // the first run starts at the bound (a start usually meets a backlog; the window comes down in a few
        // samples if demand is lower), a resumed run where the last one left it
        AdaptiveWindow window = new AdaptiveWindow(settings.flow().windowSettings(maxPollRecords), System.nanoTime(),
                previousGate == null ? maxInFlight : previousGate.window().window());
        PrefetchGate newGate = new PrefetchGate(maxInFlight, settings.flow().maxInFlightBytes().toBytes(), maxPollRecords,
                maxPollBytes, settings.flow().resumeRatio(), window, metrics::commitLatency);
        Completions completions = new Completions(maxInFlight);
        KafkaDeadLetters deadLetters = new KafkaDeadLetters(producer, settings.source().deadLetterTopic(),
                (int) settings.source().deadLetterTruncateTo().toBytes(),
                new DeadLetterHeaders(String.valueOf(consumerFactory.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG))),
                observations, backoff, metrics);
        SinkStage<T> sinkStage = new SinkStage<>(settings.batch(), maxInFlight, sink, deadLetters, completions, backoff, metrics,
                this::failed);
        RecordWorker<T> stages = new RecordWorker<>(decoder, step, sinkStage, deadLetters, completions, backoff, metrics);
        // a step that never waits runs on the poll thread: no worker thread per record
        RecordIntake newDispatcher = step.blocks()
                ? new KeyedDispatcher(workerLimit, stages, this::failed, metrics::workerStarted)
                : new DirectIntake<>(stages, sinkStage, () -> lifecycle.state() == PipelineState.ABORTING);
        RunParts parts = new RunParts(settings.source(), settings.shutdown(), completions, newDispatcher, sinkStage, deadLetters,
                metrics, this::failed, progress, backoff, settings.reclaimBackoff());
        gate = newGate;
        dispatcher = newDispatcher;
        String workers = step.blocks() ? settings.flow().workers().name().toLowerCase(Locale.ROOT) + " workers from "
                + workerLimit.current() + " (at most " + workerLimit.max() + ")" : "no workers (the step does not block)";
        log.info("run {} starting on topic {} ({}): max in flight {} records / {} bytes, {} window from {} records,"
                        + " {}, batches of {} on {} sink threads",
                number, settings.source().topic(), progress == null ? "at-least-once" : "exactly-once", maxInFlight,
                settings.flow().maxInFlightBytes(), settings.flow().window().name().toLowerCase(Locale.ROOT),
                window.current().window(), workers, settings.batch().maxSize(), settings.batch().sinkThreads());
        return new PollLoop(consumer, parts, newGate, lifecycle, () -> stopRequest, this::stopped);
    }

    /**
     * The consumer of run {@code number}, from Boot's factory. Under KIP-848 ({@code group.protocol=consumer})
     * the broker assigns and times the session, and the client refuses the classic-only keys a
     * classic set-up commonly carries; they are dropped (with a warning naming each) so that
     * switching protocols is the one setting the README says it is.
     */
    @SuppressWarnings("unchecked")
    private Consumer<byte[], byte[]> createConsumer(long number, Properties overrides) {
        if (classicProtocol()) {
            return (Consumer<byte[], byte[]>) consumerFactory.createConsumer(null, null, "-" + number, overrides);
        }
        Map<String, Object> config = new HashMap<>(consumerFactory.getConfigurationProperties());
        for (String classicOnly : CLASSIC_ONLY) {
            Object value = config.remove(classicOnly);
            if (value != null && !value.toString().isBlank() && number == 1) {
                log.warn("group.protocol=consumer: ignoring {}={} (the broker decides it under KIP-848)", classicOnly, value);
            }
        }
        overrides.forEach((key, value) -> config.put(key.toString(), value));
        Object clientId = config.get(ConsumerConfig.CLIENT_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, (clientId == null ? "sluice" : clientId) + "-" + number);
        DefaultKafkaConsumerFactory<byte[], byte[]> factory = new DefaultKafkaConsumerFactory<>(config);
        if (consumerFactory instanceof DefaultKafkaConsumerFactory<?, ?> boot) {
            // Boot's listeners bind the client metrics (kafka_consumer_*); without them this consumer is invisible
            boot.getListeners().forEach(listener -> factory.addListener((ConsumerFactory.Listener<byte[], byte[]>) listener));
        }
        return factory.createConsumer();
    }

    private void stopped(StopReport report) {
        lastStop = report;
        Timer.builder("sluice.stop").tag("mode", report.mode())
                .description("Drains and aborts: how long each took from request to STOPPED")
                .register(metrics.registry()).record(Duration.ofMillis(report.durationMillis()));
        Counter.builder("sluice.stop.abandoned").tag("mode", report.mode())
                .description("Records left incomplete by a stop (redelivered later)")
                .register(metrics.registry()).increment(report.abandoned());
    }

    private int configuredInt(String key, int fallback) {
        Object value = configured(key);
        return value == null ? fallback : Integer.parseInt(value.toString());
    }

    private Object configured(String key) {
        Object value = consumerFactory.getConfigurationProperties().get(key);
        return value == null || value.toString().isBlank() ? null : value;
    }

    private boolean classicProtocol() {
        Object protocol = configured(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        return protocol == null || protocol.toString().equalsIgnoreCase("classic");
    }

    private void registerGauges(MeterRegistry registry) {
        Gauge.builder("sluice.inflight.records", this, p -> p.status().inFlight())
                .description("Records polled and not yet committed").register(registry);
        Gauge.builder("sluice.inflight.records.limit", settings.flow(), f -> f.maxInFlight())
                .description("Bound on records in flight").register(registry);
        Gauge.builder("sluice.inflight.bytes", this, p -> p.gate == null ? 0 : p.gate.inFlightBytes())
                .description("Bytes of records polled and not yet durable").register(registry);
        Gauge.builder("sluice.inflight.bytes.limit", settings.flow(), f -> f.maxInFlightBytes().toBytes())
                .description("Bound on bytes in flight").register(registry);
        Gauge.builder("sluice.inflight.oldest.age", this, p -> p.status().oldestInFlightMillis() / 1000.0)
                .baseUnit("seconds").description("Age of the oldest incomplete record").register(registry);
        Gauge.builder("sluice.backpressure.paused", this, p -> p.gate != null && p.gate.paused() ? 1 : 0)
                .description("1 while the source is paused by the in-flight bound").register(registry);
        FunctionCounter.builder("sluice.backpressure.pauses", this, p -> p.gate == null ? 0 : p.gate.pauses())
                .description("Times the in-flight bound was hit (in the current run)").register(registry);
        FunctionCounter.builder("sluice.backpressure.paused.time", this,
                        p -> p.gate == null ? 0 : p.gate.pausedNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                .baseUnit("seconds").description("Time paused by backpressure (in the current run)").register(registry);
        for (PartitionOwnership.State state : List.of(PartitionOwnership.State.CLAIMING, PartitionOwnership.State.FENCED)) {
            Gauge.builder("sluice.partition.unowned", this, p -> p.run == null ? 0 : p.run.partitionsIn(state))
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .description("Partitions Kafka assigns here that this member does not own: waiting for their claim,"
                            + " or fenced by a later claim and waiting to claim again (exactly-once)")
                    .register(registry);
        }
        for (PipelineState state : PipelineState.values()) {
            Gauge.builder("sluice.state", lifecycle, l -> l.state() == state ? 1 : 0).tag("state", state.name())
                    .description("1 for the pipeline's current lifecycle state").register(registry);
        }
    }

    // ---- SmartLifecycle: start with the application, stop first on shutdown ----

    @Override
    public void start() {
        resume();
    }

    @Override
    public boolean isAutoStartup() {
        return settings.source().autoStartup();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public void stop(Runnable callback) {
        Duration drainDeadline = settings.shutdown().drainDeadline();
        if (settings.shutdown().mode() == StopMode.DRAIN) {
            drain(drainDeadline, "application shutdown");
        } else {
            abort("application shutdown");
        }
        // within spring.lifecycle.timeout-per-shutdown-phase (drain deadline + abort + margin)
        Duration bound = drainDeadline.plus(settings.shutdown().abortTimeout()).plusSeconds(4);
        try {
            if (!awaitStopped(bound)) {
                // never let the producer and the DataSource close under a running pipeline
                abort("application shutdown: not stopped within " + bound);
                if (!awaitStopped(settings.shutdown().abortTimeout().plusSeconds(1))) {
                    log.error("pipeline not stopped within {} and an abort; shutting down anyway (uncommitted records are redelivered)",
                            bound);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            callback.run();
        }
    }

    @Override
    public boolean isRunning() {
        return lifecycle.state() != PipelineState.STOPPED;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
