package dev.sluice.ops;

import dev.sluice.ops.UnknownKeys.UnknownKeysException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports unknown configuration keys as Boot's "APPLICATION FAILED TO START" block, one key per
 * line, instead of a stack trace. Registered in META-INF/spring.factories.
 */
class UnknownKeysFailureAnalyzer extends AbstractFailureAnalyzer<UnknownKeysException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnknownKeysException cause) {
        String description = "Sluice binds nothing to these configuration keys, so a value set there would be ignored:\n    "
                + String.join("\n    ", cause.problems());
        String action = "Correct or remove each key (the known ones are in the README's configuration section). "
                + "Relaxed spellings are accepted: max-in-flight, maxInFlight, max_in_flight, SLUICE_FLOW_MAX_IN_FLIGHT.";
        return new FailureAnalysis(description, action, cause);
    }
}
