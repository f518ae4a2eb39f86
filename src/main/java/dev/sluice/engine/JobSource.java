package dev.sluice.engine;

import java.util.List;

/**
 * Jobs that are not beans of their own, such as those declared in configuration: the engine runs
 * every {@code JobSource} bean's jobs beside the {@link Job} beans.
 */
public interface JobSource {

    List<Job<?>> jobs();
}
