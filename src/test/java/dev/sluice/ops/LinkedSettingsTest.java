package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.pipeline.ShutdownProperties;
import dev.sluice.postgres.DatabaseProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class LinkedSettingsTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({ShutdownProperties.class, BatchProperties.class, DatabaseProperties.class,
        DeliveryProperties.class})
    static class Properties {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, LinkedSettings.class)
            .withPropertyValues("spring.datasource.hikari.data-source-properties.socketTimeout=60");

    @Test
    void shippedDefaultsAgree() {
        assertThat(LinkedSettings.problems(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(35), 4, 8)).isEmpty();
    }

    @Test
    void startUpFailsWhenDrainPlusAbortOutlastsBootsShutdownPhase() {
        context.withPropertyValues("sluice.shutdown.drain-deadline=60s", "sluice.shutdown.abort-timeout=2s",
                "spring.lifecycle.timeout-per-shutdown-phase=35s").run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure()).rootCause()
                            .hasMessageContaining("sluice.shutdown.drain-deadline (PT1M)")
                            .hasMessageContaining("sluice.shutdown.abort-timeout (PT2S)")
                            .hasMessageContaining("spring.lifecycle.timeout-per-shutdown-phase (PT35S)");
                });
    }

    @Test
    void withoutAPhaseTimeoutBootsDefaultOfThirtySecondsIsChecked() {
        context.withPropertyValues("sluice.shutdown.drain-deadline=30s", "spring.datasource.hikari.maximum-pool-size=8")
                .run(started -> assertThat(started.getStartupFailure()).rootCause()
                        .hasMessageContaining("spring.lifecycle.timeout-per-shutdown-phase (PT30S)"));
    }

    @Test
    void startUpFailsWhenSinkThreadsWouldTakeTheWholePool() {
        context.withPropertyValues("sluice.batch.sink-threads=8", "spring.datasource.hikari.maximum-pool-size=8",
                "spring.lifecycle.timeout-per-shutdown-phase=35s").run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure()).rootCause()
                            .hasMessageContaining("sluice.batch.sink-threads (8) must be below spring.datasource.hikari.maximum-pool-size (8)");
                });
    }

    @Test
    void agreeingSettingsStart() {
        context.withPropertyValues("sluice.shutdown.drain-deadline=10s", "spring.lifecycle.timeout-per-shutdown-phase=12s",
                "sluice.batch.sink-threads=7", "spring.datasource.hikari.maximum-pool-size=8")
                .run(started -> assertThat(started).hasNotFailed());
    }

    @Test
    void startUpFailsWhenTheSocketTimeoutIsNotAboveTheStatementTimeout() {
        context.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=35s", "sluice.database.statement-timeout=30s",
                "spring.datasource.hikari.data-source-properties.socketTimeout=30").run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure()).rootCause()
                            .hasMessageContaining("spring.datasource.hikari.data-source-properties.socketTimeout (30 s)")
                            .hasMessageContaining("sluice.database.statement-timeout (PT30S)");
                });
    }

    @Test
    void startUpFailsWithoutASocketTimeout() {
        new ApplicationContextRunner().withUserConfiguration(Properties.class, LinkedSettings.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=35s").run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure()).rootCause()
                            .hasMessageContaining("spring.datasource.hikari.data-source-properties.socketTimeout is not set");
                });
    }

    @Test
    void aSocketTimeoutInTheUrlCounts() {
        new ApplicationContextRunner().withUserConfiguration(Properties.class, LinkedSettings.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=35s",
                        "spring.datasource.url=jdbc:postgresql://db/sluice?ssl=true&socketTimeout=45")
                .run(started -> assertThat(started).hasNotFailed());
    }
}
