package dev.sluice.pipeline;

import static dev.sluice.testinfra.PropertiesBinding.reported;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceApplication;

import dev.sluice.kafka.ReplayProperties;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.ops.BrokerLagProperties;
import dev.sluice.ops.StuckWorkProperties;
import dev.sluice.payments.PaymentProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Wrong configuration stops start-up with a message that names the property. */
class ConfigurationValidationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({FlowProperties.class, BatchProperties.class, RetryProperties.class,
        ShutdownProperties.class, SourceProperties.class, ReplayProperties.class, BrokerLagProperties.class,
        DeliveryProperties.class, StuckWorkProperties.class, PaymentProperties.class})
    static class Bound {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sluice.flow.max-in-flight=0 | sluice.flow.max-in-flight",
        "sluice.flow.max-in-flight-bytes=10B | sluice.flow.max-in-flight-bytes",
        "sluice.flow.resume-ratio=1.5 | sluice.flow.resume-ratio",
        "sluice.flow.worker-permits=-1 | sluice.flow.worker-permits",
        "sluice.flow.workers=sometimes | sluice.flow.workers",
        "sluice.flow.min-worker-permits=-1 | sluice.flow.min-worker-permits",
        "sluice.flow.window=sometimes | sluice.flow.window",
        "sluice.flow.min-in-flight=30000 | sluice.flow.min-in-flight",
        "sluice.flow.window-headroom=0.5 | sluice.flow.window-headroom",
        "sluice.flow.window-hysteresis=0.95 | sluice.flow.window-hysteresis",
        "sluice.flow.window-interval=1ms | sluice.flow.window-interval",
        "sluice.flow.knee-tolerance=0.9 | sluice.flow.knee-tolerance",
        "sluice.flow.knee-hold=100ms | sluice.flow.knee-hold",
        "sluice.batch.max-size=0 | sluice.batch.max-size",
        "sluice.batch.max-wait=0ms | sluice.batch.max-wait",
        "sluice.retry.initial-backoff=0ms | sluice.retry.initial-backoff",
        "sluice.retry.max-backoff=1ms | sluice.retry.max-backoff",
        "sluice.shutdown.drain-deadline=-1s | sluice.shutdown.drain-deadline",
        "sluice.shutdown.mode=later | sluice.shutdown.mode",
        "sluice.source.topic= | sluice.source.topic",
        "sluice.source.dead-letter-topic=payments | sluice.source.dead-letter-topic",
        "sluice.source.poll-timeout=1h | sluice.source.poll-timeout",
        "sluice.source.commit-interval=-1ms | sluice.source.commit-interval",
        "sluice.source.revoke-timeout=6m | sluice.source.revoke-timeout",
        "sluice.source.dead-letter-truncate-to=100B | sluice.source.dead-letter-truncate-to",
        "sluice.shutdown.abort-timeout=0ms | sluice.shutdown.abort-timeout",
        "sluice.shutdown.drain-deadline=2h | sluice.shutdown.drain-deadline",
        "sluice.stuck.threshold=50ms | sluice.stuck.threshold",
        "sluice.stuck.check-interval=10m | sluice.stuck.check-interval",
        "sluice.batch.max-wait=11s | sluice.batch.max-wait",
        "sluice.flow.window-interval=2m | sluice.flow.window-interval",
        "sluice.payments.journal-prune-timeout=6m | sluice.payments.journal-prune-timeout",
        "sluice.replay.stall-timeout=10ms | sluice.replay.stall-timeout",
        "sluice.replay.request-timeout=1h | sluice.replay.request-timeout",
        "sluice.replay.remembered=0 | sluice.replay.remembered",
        "sluice.lag.refresh-interval=0s | sluice.lag.refresh-interval",
        "sluice.lag.timeout=2m | sluice.lag.timeout",
        "sluice.delivery.guarantee=twice | sluice.delivery.guarantee",
        "sluice.delivery.claim-timeout=0s | sluice.delivery.claim-timeout",
        "sluice.delivery.compact-interval=2h | sluice.delivery.compact-interval",
        "sluice.delivery.reclaim-backoff=1ms | sluice.delivery.reclaim-backoff",
        "sluice.delivery.reclaim-backoff-max=1s | sluice.delivery.reclaim-backoff-max",
        "sluice.delivery.reclaim-backoff-max=2h | sluice.delivery.reclaim-backoff-max"
    })
    void failsStartupNamingTheProperty(String setting, String property) {
        runner.withPropertyValues(setting).run(context -> {
            assertThat(context).hasFailed();
            assertThat(reported(context.getStartupFailure())).contains(property);
        });
    }

    @ParameterizedTest
    @CsvSource({"sluice.flow.max-in-flight=20000", "sluice.flow.window=fixed", "sluice.flow.min-in-flight=20000",
        "sluice.shutdown.mode=abort", "sluice.batch.max-wait=5ms", "sluice.replay.remembered=1000",
        "sluice.lag.refresh-interval=500ms", "sluice.delivery.guarantee=at-least-once", "sluice.flow.workers=adaptive",
        "sluice.delivery.reclaim-backoff=30s", "sluice.shutdown.drain-deadline=0s", "sluice.source.commit-interval=0ms",
        "sluice.stuck.threshold=100ms", "sluice.delivery.reclaim-backoff-max=1h"})
    void acceptsSensibleValues(String setting) {
        runner.withPropertyValues(setting).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void anAdaptiveWorkerFloorAboveTheCeilingFailsStartupNamingBoth() {
        runner.withPropertyValues("sluice.flow.workers=adaptive", "sluice.flow.worker-permits=100", "sluice.flow.min-worker-permits=200")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("sluice.flow.min-worker-permits")
                            .hasStackTraceContaining("sluice.flow.worker-permits");
                });
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void anOutOfRangeDurationFailsTheApplicationsStartupWithBootsReportNamingTheProperty(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(SluiceApplication.class)
                .web(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run("--sluice.source.poll-timeout=0ms"))
                .hasStackTraceContaining("sluice.source");
        // the report as printed, whether the console logs plain text or JSON (escaped quotes)
        assertThat(output.toString().replace("\\\"", "\"")).contains("APPLICATION FAILED TO START",
                "Binding to target dev.sluice.kafka.SourceProperties failed",
                "Origin: \"sluice.source.poll-timeout\" from property source \"commandLineArgs\"",
                "Reason: must be longer than or equal to 1 milli");
    }
}
