package dev.sluice.postgres;

import static dev.sluice.testinfra.PropertiesBinding.reported;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@code sluice.database.*}: the defaults bind, and a bad value stops start-up naming its property. */
class DatabasePropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(DatabaseProperties.class)
    static class Bound {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @Test
    void defaultsBindAndMatchTheDocumentedOnes() {
        runner.run(context -> assertThat(context.getBean(DatabaseProperties.class)).isEqualTo(DatabaseProperties.defaults()));
        assertThat(DatabaseProperties.defaults()).isEqualTo(
                new DatabaseProperties(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sluice.database.statement-timeout=0s | sluice.database.statement-timeout",
        "sluice.database.statement-timeout=2h | sluice.database.statement-timeout",
        "sluice.database.lock-timeout=1ms | sluice.database.lock-timeout",
        "sluice.database.lock-timeout=1m | sluice.database.lock-timeout (PT1M) must not exceed sluice.database.statement-timeout",
        "sluice.database.idle-in-transaction-timeout=0s | sluice.database.idle-in-transaction-timeout",
        "sluice.database.idle-in-transaction-timeout=-1s | sluice.database.idle-in-transaction-timeout",
        "sluice.database.idle-in-transaction-timeout=1d | sluice.database.idle-in-transaction-timeout"
    })
    void failsStartupNamingTheProperty(String setting, String message) {
        runner.withPropertyValues(setting).run(context -> {
            assertThat(context).hasFailed();
            assertThat(reported(context.getStartupFailure())).contains(message);
        });
    }
}
