package dev.sluice.jobs;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Shows a refused job as Boot's "APPLICATION FAILED TO START" with the property to fix. Registered
 * in {@code META-INF/spring.factories} under {@code org.springframework.boot.diagnostics.FailureAnalyzer}.
 */
public final class JobDefinitionFailureAnalyzer extends AbstractFailureAnalyzer<JobDefinitionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, JobDefinitionException cause) {
        return new FailureAnalysis("A declarative job cannot run against its table:\n\n    " + cause.getMessage(),
                "Fix " + cause.property() + " (reference: docs/JOBS.md), or the table, and start again.", cause);
    }
}
