package dev.sluice.demo;

import dev.sluice.payments.PaymentPublisher;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a bounded demo run ({@code demo.exit-after-drain=true}): waits until every
 * acknowledged record is written, a duplicate or dead-lettered, drains the pipeline and prints one
 * {@code demo: finished} line. Its verdict is the process's exit code, so {@code .ci/run} fails
 * unless payments were written and the drain reached STOPPED.
 */
final class DemoFinish {

    /** The line {@code .ci/run} looks for; the rest of it carries the numbers. */
    static final String FINISHED = "demo: finished";
    private static final Logger log = LoggerFactory.getLogger("sluice.demo");

    private final PipelineControl pipeline;
    private final PaymentPublisher publisher;
    private final Duration within;

    DemoFinish(PipelineControl pipeline, PaymentPublisher publisher, Duration within) {
        this.pipeline = pipeline;
        this.publisher = publisher;
        this.within = within;
    }

    /** Blocks for at most twice {@code within}; returns the exit code (0 = payments written and drained). */
    int drainWhenDone() {
        long published = publisher.acknowledged();
        boolean allDone;
        try {
            Awaitility.await().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> done(pipeline.status()) >= published);
            allDone = true;
        } catch (ConditionTimeoutException e) {
            allDone = false;
        }
        pipeline.drain(within);
        boolean stopped;
        try {
            stopped = pipeline.awaitStopped(within);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        PipelineStatus status = pipeline.status();
        StopReport stop = status.lastStop();
        boolean drained = stopped && status.state() == PipelineState.STOPPED && stop != null && "drain".equals(stop.mode());
        boolean ok = allDone && drained && status.totals().written() > 0 && publisher.failed() == 0;
        log.info("{}: {} | published {} (failed {}) | done {} | written {} duplicates {} dead-lettered {} | pipeline {} by {} | {}",
                FINISHED, ok ? "OK" : "FAILED", published, publisher.failed(), done(status), status.totals().written(),
                status.totals().duplicates(), status.totals().deadLettered(), status.state(), stop == null ? "-" : stop.mode(),
                allDone ? "every published record done" : "not every published record done within " + within);
        return ok ? 0 : 1;
    }

    private static long done(PipelineStatus status) {
        return status.totals().written() + status.totals().duplicates() + status.totals().deadLettered();
    }
}
