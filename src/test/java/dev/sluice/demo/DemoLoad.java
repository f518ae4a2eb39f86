package dev.sluice.demo;

import dev.sluice.engine.Pipelines;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.payments.PaymentGenerator;
import dev.sluice.payments.PaymentPublisher;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.testinfra.ConsumerLag;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo's load: publishes generated payments at {@code demo.rate} per second ({@code demo.count}
 * in all, 0 = until stopped) with {@code demo.duplicates} replays and {@code demo.invalid} bad
 * records, and prints progress every {@code demo.report-seconds}. With {@code demo.count} set and
 * {@code demo.exit-after-drain=true} (the smoke form CI runs, see {@link DemoFinish}) it waits
 * until every published record is done, drains the pipeline and exits: 0 only if payments were
 * written and the drain reached STOPPED.
 */
@TestConfiguration(proxyBeanMethods = false)
class DemoLoad implements ApplicationRunner, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger("sluice.demo");

    private final KafkaConnectionDetails kafka;
    private final PipelineControl pipeline;
    private final SourceProperties source;
    private final String group;
    private final double rate;
    private final long count;
    private final double duplicates;
    private final double invalid;
    private final int accounts;
    private final long reportSeconds;
    private final boolean exitAfterDrain;
    private final Duration finishWithin;
    private final ConfigurableApplicationContext context;
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-demo-report").daemon(true).factory());
    private Thread publisherThread;
    private volatile PaymentPublisher publisher;

    DemoLoad(KafkaConnectionDetails kafka, Pipelines pipelines, SourceProperties source,
            @Value("${spring.kafka.consumer.group-id}") String group, @Value("${demo.rate:2000}") double rate,
            @Value("${demo.count:0}") long count, @Value("${demo.duplicates:0.05}") double duplicates,
            @Value("${demo.invalid:0.01}") double invalid, @Value("${demo.accounts:1000}") int accounts,
            @Value("${demo.report-seconds:5}") long reportSeconds,
            @Value("${demo.exit-after-drain:false}") boolean exitAfterDrain,
            @Value("${demo.finish-within:120s}") Duration finishWithin, ConfigurableApplicationContext context,
            DataSource dataSource) {
        if (exitAfterDrain && count <= 0) {
            throw new IllegalArgumentException("demo.exit-after-drain=true needs demo.count > 0 (it was " + count + ")");
        }
        this.kafka = kafka;
        this.pipeline = pipelines.pipeline("ledger");
        this.source = source;
        this.group = group;
        this.rate = rate;
        this.count = count;
        this.duplicates = duplicates;
        this.invalid = invalid;
        this.accounts = accounts;
        this.reportSeconds = reportSeconds;
        this.exitAfterDrain = exitAfterDrain;
        this.finishWithin = finishWithin;
        this.context = context;
        this.dataSource = dataSource;
    }

    private final DataSource dataSource;

    /** Where the demo's rows are, as a newcomer connects to look at them. */
    private String database() {
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            return meta.getURL() + " (user " + meta.getUserName() + ")";
        } catch (SQLException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    @Override
    public void run(ApplicationArguments args) {
        String servers = String.join(",", kafka.getBootstrapServers());
        PaymentGenerator generator = new PaymentGenerator(new PaymentGenerator.Spec("demo", accounts, duplicates, invalid, 0.02, 3,
                System.currentTimeMillis()));
        publisher = new PaymentPublisher(servers, source.topic());
        publisherThread = Thread.ofPlatform().name("sluice-demo-publish").daemon(true).start(() -> {
            int code = 1;
            try {
                publisher.publish(generator, count == 0 ? Long.MAX_VALUE : count, rate);
                if (exitAfterDrain) {
                    code = new DemoFinish(pipeline, publisher, finishWithin).drainWhenDone();
                }
            } catch (RuntimeException e) {
                log.error("{}: FAILED | {}", DemoFinish.FINISHED, e.toString(), e);
            } finally {
                if (exitAfterDrain && !Thread.currentThread().isInterrupted()) {
                    int exitCode = code;
                    // exit from a thread of our own (closing the context joins this one); not a daemon,
                    // or the JVM would end with 0 once the context's threads are gone, before System.exit
                    Thread.ofPlatform().name("sluice-demo-exit").daemon(false).start(
                            () -> System.exit(SpringApplication.exit(context, () -> exitCode)));
                }
            }
        });
        long[] last = {0, System.nanoTime()};
        reporter.scheduleAtFixedRate(() -> {
            try {
                PipelineStatus status = pipeline.status();
                long done = status.totals().written() + status.totals().duplicates() + status.totals().deadLettered();
                long now = System.nanoTime();
                double perSecond = (done - last[0]) / ((now - last[1]) / 1e9);
                last[0] = done;
                last[1] = now;
                log.info("demo: {} | {} records/s | in flight {}/{} (window {}, {}) | lag {} | written {} duplicates {} dead-lettered {} | published {}",
                        status.state(), Math.round(perSecond), status.inFlight(), status.maxInFlight(), status.window().records(),
                        status.window().reason(),
                        ConsumerLag.of(servers, group, source.topic()), status.totals().written(), status.totals().duplicates(),
                        status.totals().deadLettered(), publisher.acknowledged());
            } catch (RuntimeException e) {
                log.warn("demo progress unavailable: {}", e.toString());
            }
        }, reportSeconds, reportSeconds, TimeUnit.SECONDS);
        log.info("demo: publishing payments at {}/s to {} on {}; operate it: curl -u ops:demo -X POST localhost:8081/actuator/pipeline/drain",
                rate, source.topic(), servers);
        log.info("demo: the rows are in PostgreSQL at {}; e.g. SELECT account, currency, balance_cents, payment_count FROM sluice.account_balances LIMIT 5",
                database());
    }

    /** Runs after the pipeline stopped (beans are destroyed after lifecycle stop), so the drain had its broker and database. */
    @Override
    public void destroy() throws InterruptedException {
        reporter.shutdownNow();
        if (publisherThread != null) {
            publisherThread.interrupt();
            publisherThread.join(Duration.ofSeconds(5));
            publisher.close();
        }
        EmbeddedInfrastructure.shutdown();
    }
}
