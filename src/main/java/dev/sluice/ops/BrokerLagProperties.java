package dev.sluice.ops;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the broker-side lag gauges ({@code sluice.group.lag}, {@code sluice.partition.broker.offset})
 * are refreshed: three admin requests per refresh, whatever the traffic.
 *
 * @param refreshInterval time between two refreshes (default 15s: a typical scrape interval, so
 *     every scrape sees a fresh value while the broker is asked four times a minute)
 * @param timeout the longest each admin request waits; a refresh that times out keeps the last
 *     values (default 5s: well below the refresh interval)
 */
@Validated
@ConfigurationProperties("sluice.lag")
public record BrokerLagProperties(
        @DefaultValue("15s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 10) Duration refreshInterval,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 1) Duration timeout) {
}
