package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.SourceProperties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Wrong configuration stops start-up with a message that names the property. */
class ConfigurationValidationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({FlowProperties.class, BatchProperties.class, RetryProperties.class,
        ShutdownProperties.class, SourceProperties.class})
    static class Bound {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sluice.flow.max-in-flight=0 | sluice.flow.max-in-flight",
        "sluice.flow.max-in-flight-bytes=10B | sluice.flow.max-in-flight-bytes",
        "sluice.flow.resume-ratio=1.5 | sluice.flow.resume-ratio",
        "sluice.flow.worker-permits=-1 | sluice.flow.worker-permits",
        "sluice.flow.window=sometimes | sluice.flow.window",
        "sluice.flow.min-in-flight=30000 | sluice.flow.min-in-flight",
        "sluice.flow.window-headroom=0.5 | sluice.flow.window-headroom",
        "sluice.flow.window-hysteresis=0.95 | sluice.flow.window-hysteresis",
        "sluice.flow.window-interval=1ms | sluice.flow.window-interval",
        "sluice.batch.max-size=0 | sluice.batch.max-size",
        "sluice.batch.max-wait=0ms | sluice.batch.max-wait",
        "sluice.retry.initial-backoff=0ms | sluice.retry.initial-backoff",
        "sluice.retry.max-backoff=1ms | sluice.retry.max-backoff",
        "sluice.shutdown.drain-deadline=-1s | sluice.shutdown.drain-deadline",
        "sluice.shutdown.mode=later | sluice.shutdown.mode",
        "sluice.source.topic= | sluice.source.topic",
        "sluice.source.dead-letter-topic=payments | sluice.source.dead-letter-topic",
        "sluice.source.poll-timeout=1h | sluice.source.poll-timeout"
    })
    void failsStartupNamingTheProperty(String setting, String property) {
        runner.withPropertyValues(setting).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining(property);
        });
    }

    @ParameterizedTest
    @CsvSource({"sluice.flow.max-in-flight=20000", "sluice.flow.window=fixed", "sluice.flow.min-in-flight=20000", "sluice.shutdown.mode=abort", "sluice.batch.max-wait=5ms"})
    void acceptsSensibleValues(String setting) {
        runner.withPropertyValues(setting).run(context -> assertThat(context).hasNotFailed());
    }
}
