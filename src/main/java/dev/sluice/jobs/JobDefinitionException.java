package dev.sluice.jobs;

/**
 * A declarative job that cannot run against its table: start-up fails with one sentence naming
 * the property at fault ({@code sluice.jobs.orders.columns.amunt: column amunt does not exist in
 * table public.orders}).
 */
public final class JobDefinitionException extends IllegalStateException {

    private final String property;

    JobDefinitionException(String property, String problem) {
        super(property + ": " + problem);
        this.property = property;
    }

    /** The property at fault, {@code sluice.jobs.<name>.<property>}. */
    public String property() {
        return property;
    }
}
