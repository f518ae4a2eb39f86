package dev.sluice.pipeline;

import java.time.Duration;

/**
 * The check every {@code sluice.*} properties record applies to its durations: inside a range, or
 * start-up fails with a message that names the property.
 */
public final class ConfigurationBounds {

    private ConfigurationBounds() {
    }

    public static void requireBetween(String property, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(property + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
