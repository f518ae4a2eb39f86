package dev.sluice.ops;

import static dev.sluice.pipeline.ConfigurationBounds.requireBetween;

import java.time.Duration;
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
        @DefaultValue("15s") Duration refreshInterval,
        @DefaultValue("5s") Duration timeout) {

    public BrokerLagProperties {
        requireBetween("sluice.lag.refresh-interval", refreshInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
        requireBetween("sluice.lag.timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(1));
    }
}
