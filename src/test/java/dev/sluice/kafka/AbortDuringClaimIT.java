package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.testinfra.IntegrationTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Abort while the poll thread is inside a claim (issue 20, item 6): the claim waits on a lock held
 * by another session (an owner row that session is inserting and has not committed: a claimant lost
 * before its commit) with a claim timeout far above the abort timeout. The abort cuts the claim's
 * connection, as it cuts the sink's, and the pipeline is STOPPED within
 * {@code sluice.shutdown.abort-timeout} plus a little slack, not at the claim timeout.
 */
@TestPropertySource(properties = {"sluice.delivery.claim-timeout=30s", "sluice.database.statement-timeout=40s"})
class AbortDuringClaimIT extends IntegrationTest {

    private static final Duration SLACK = Duration.ofMillis(1500);

    @Autowired
    private ShutdownProperties shutdown;

    @Test
    void abortReachesStoppedWithinTheAbortTimeoutWhileTheClaimWaitsOnALock() throws Exception {
        traffic.createTopics(1, topicName(), deadLetterTopic());
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement insert = other.prepareStatement(
                    "INSERT INTO sluice.sluice_owner (consumer_group, topic, partition, epoch, owner) VALUES (?, ?, 0, 0, 'other-session')")) {
                insert.setString(1, group());
                insert.setString(2, topicName());
                insert.executeUpdate();
            }
            pipeline.resume();
            await(Duration.ofSeconds(60)).until(this::claimWaitsOnALock);

            long started = System.nanoTime();
            pipeline.abort();
            Duration bound = shutdown.abortTimeout().plus(SLACK);
            boolean stopped = pipeline.awaitStopped(bound);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            System.out.printf("abort inside a blocked claim: STOPPED after %d ms (abort timeout %s)%n", took.toMillis(),
                    shutdown.abortTimeout());
            assertThat(stopped).as("STOPPED within %s, not at the 30 s claim timeout (took %s)", bound, took).isTrue();
            assertThat(pipeline.lifecycle().state()).isEqualTo(PipelineState.STOPPED);
            await(Duration.ofSeconds(5)).alias("the claim's statement ended on the server too").until(() -> !claimWaitsOnALock());
            other.rollback();
        }
    }

    private boolean claimWaitsOnALock() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE 'INSERT INTO sluice.sluice_owner AS o%'", Long.class) > 0;
    }
}
