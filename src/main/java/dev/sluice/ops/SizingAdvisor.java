package dev.sluice.ops;

import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.PipelineStatus;
import org.springframework.stereotype.Component;

/**
 * Explains the in-flight window in Little's terms for the status endpoint: the measured λ (records
 * committed per second) and W (poll to commit), L = λ·W, and the window the source pauses at. With
 * {@code sluice.flow.window=adaptive} the advice is the setting: the window already is L × headroom
 * within the bounds; with {@code fixed} it says what the window would be.
 *
 * <p>Thread-safe: stateless; it reads a job's published status.
 */
@Component
class SizingAdvisor {

    private final FlowProperties flow;

    SizingAdvisor(FlowProperties flow) {
        this.flow = flow;
    }

    /**
     * @param arrivalRate λ: records committed per second in the window's last sample
     * @param timeInSystemMillis W: their mean time from poll to commit
     * @param suggestedMaxInFlight λ·W × sluice.flow.window-headroom (before the bounds)
     * @param configuredMaxInFlight sluice.flow.max-in-flight
     * @param window the window the source pauses at now
     * @param note one line on what to do, if anything
     */
    record Advice(double arrivalRate, double timeInSystemMillis, long suggestedMaxInFlight, int configuredMaxInFlight,
            int window, String note) {
    }

    /** The advice for one job's pipeline, from its status. */
    Advice advice(PipelineStatus status) {
        PipelineStatus.Window window = status.window();
        long suggested = (long) Math.ceil(window.needed() * flow.windowHeadroom());
        return new Advice(window.arrivalRate(), window.timeInSystemMillis(), suggested, flow.maxInFlight(), window.records(),
                note(window, suggested));
    }

    private String note(PipelineStatus.Window window, long suggested) {
        boolean fixed = flow.window() == FlowProperties.WindowMode.FIXED;
        if (window.arrivalRate() == 0) {
            return "no records committed in the last sample";
        }
        if (window.reason().equals("seeking") || window.reason().equals("at_knee")) {
            return "a backlog: the window keeps the smallest size that holds λ (the knee); a larger sluice.flow.max-in-flight would only add waiting";
        }
        if (suggested > flow.maxInFlight()) {
            return "λ·W×" + flow.windowHeadroom() + " is above sluice.flow.max-in-flight: the source pauses at the bound; raise it if the database keeps up";
        }
        return fixed ? "fixed window at the bound; sluice.flow.window=adaptive would pause at about " + Math.max(suggested, window.min())
                : "the window follows λ·W×" + flow.windowHeadroom() + " within [" + window.min() + ", " + window.max() + "]";
    }
}
