package dev.sluice.pipeline;

import static dev.sluice.pipeline.PipelineState.ABORTING;
import static dev.sluice.pipeline.PipelineState.DRAINING;
import static dev.sluice.pipeline.PipelineState.RUNNING;
import static dev.sluice.pipeline.PipelineState.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void movesOnlyAlongTheDocumentedTransitions() {
        assertThat(RUNNING.canMoveTo(DRAINING)).isTrue();
        assertThat(RUNNING.canMoveTo(ABORTING)).isTrue();
        assertThat(DRAINING.canMoveTo(ABORTING)).isTrue();
        assertThat(DRAINING.canMoveTo(STOPPED)).isTrue();
        assertThat(ABORTING.canMoveTo(STOPPED)).isTrue();
        assertThat(STOPPED.canMoveTo(RUNNING)).isTrue();
        assertThat(ABORTING.canMoveTo(DRAINING)).as("never back from abort to drain").isFalse();
        assertThat(DRAINING.canMoveTo(RUNNING)).isFalse();
        assertThat(STOPPED.canMoveTo(DRAINING)).isFalse();
    }

    @Test
    void concurrentDrainAndAbortEndInExactlyOneAllowedOrder() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Lifecycle lifecycle = new Lifecycle();
            lifecycle.moveTo(RUNNING);
            List<PipelineState> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            lifecycle.onTransition((from, to) -> seen.add(to));
            CountDownLatch go = new CountDownLatch(1);
            Thread drain = Thread.ofVirtual().start(() -> {
                await(go);
                lifecycle.moveTo(RUNNING, DRAINING);
            });
            Thread abort = Thread.ofVirtual().start(() -> {
                await(go);
                PipelineState state = lifecycle.state();
                if (state == RUNNING || state == DRAINING) {
                    lifecycle.moveTo(state, ABORTING);
                }
            });
            go.countDown();
            drain.join();
            abort.join();
            assertThat(lifecycle.state()).isIn(DRAINING, ABORTING);
            assertThat(seen).isIn(List.of(DRAINING), List.of(ABORTING), List.of(DRAINING, ABORTING));
        }
    }

    @Test
    void awaitReturnsOnceTheStateIsReached() throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.moveTo(RUNNING);
        assertThat(lifecycle.await(STOPPED, Duration.ofMillis(20))).isFalse();
        Thread.ofVirtual().start(() -> {
            lifecycle.moveTo(ABORTING);
            lifecycle.moveTo(STOPPED);
        });
        assertThat(lifecycle.await(STOPPED, Duration.ofSeconds(5))).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
