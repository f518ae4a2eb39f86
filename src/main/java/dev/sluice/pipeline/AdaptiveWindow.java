package dev.sluice.pipeline;

/**
 * The in-flight window rule: how many records the source keeps polled and not yet committed, set
 * from live numbers by Little's law, L = λ·W, with λ the commit rate (records committed per second)
 * and W the time from poll to commit of those records. The window is L × headroom, clamped to
 * [{@code min}, {@code max}]; {@code max} is the operator's bound and is never exceeded.
 *
 * <p>One sample per interval (at least {@code interval}, and at least 2 × the last W — capped at
 * 20 intervals — so the records a change let in have been committed before it is judged), from
 * cumulative counters:
 * <ul>
 *   <li><b>Demand below the window</b> (the source was not held at it): the window follows
 *       L × headroom — up at once when that is above it, down only after {@code settleSamples}
 *       samples in a row more than {@code hysteresis} below it, and then at most by half (so it
 *       does not oscillate).</li>
 *   <li><b>Source held at the window</b> (paused for at least a quarter of the interval): demand is
 *       not visible, and L = λ·W only restates the window (in flight sits at it). The window
 *       doubles (a probe) each sample until the source is no longer held, or it reaches the
 *       bound.</li>
 *   <li>No record committed in the interval: nothing is learnt; the window holds.</li>
 * </ul>
 * In {@code fixed} mode the window is {@code max}; λ, W and L are measured and reported all the same.
 *
 * <p>What it cannot tell: while a backlog holds the source, a window that limits throughput and
 * one that only adds waiting behind a saturated stage look the same from λ and W (both give
 * L = window). Telling them apart by whether a probe raised λ was tried and dropped: a stage that
 * slows down while the window grows (W rising for its own reasons) made probes look useless and
 * throttled the source for many samples. So under a backlog the window grows to the bound, as the
 * fixed window always was, and memory stays within the operator's budget; it comes down once the
 * backlog is gone.
 *
 * <p>Pure (no clock of its own, no threads, no I/O) and not thread-safe: confined to the poll thread.
 */
public final class AdaptiveWindow {

    /** The source counts as held at the window when paused for at least this share of the interval. */
    static final double HELD_SHARE = 0.25;
    static final double PROBE_GROWTH = 2.0;
    /** The wait for 2 W is capped at this many intervals, so a W inflated by an outage does not freeze the window. */
    static final long MAX_WAIT_INTERVALS = 20;

    /** Why the window has its size. */
    public enum Reason {
        /** Configured {@code sluice.flow.window=fixed}: the window is the bound. */
        FIXED,
        /** No sample yet: the window has the size it started with (the bound for a first run, where the last run left it for a resumed one). */
        STARTING,
        /** Nothing committed in the last interval: no measurement, the window holds. */
        IDLE,
        /** L × headroom rose above the window: raised to it. */
        DEMAND_GREW,
        /** L × headroom stayed below the window (within the hysteresis, or not yet long enough): held. */
        STEADY,
        /** L × headroom stayed well below the window for several samples: lowered to it, at most by half. */
        DEMAND_FELL,
        /** The source was held at the window: doubled. */
        PROBING,
        /** The source was held at the window and the window is the configured bound. */
        AT_BOUND
    }

    /**
     * @param adaptive false for {@code sluice.flow.window=fixed}
     * @param min smallest window (and the starting one)
     * @param max the bound ({@code sluice.flow.max-in-flight})
     * @param headroom the window is L × this
     * @param hysteresis the window comes down only when L × headroom is this share below it
     * @param intervalNanos shortest sample interval
     * @param settleSamples samples in a row below the hysteresis before the window comes down
     */
    public record Settings(boolean adaptive, int min, int max, double headroom, double hysteresis, long intervalNanos,
            int settleSamples) {

        public Settings {
            if (min < 1 || min > max) {
                throw new IllegalArgumentException("sluice.flow.min-in-flight (" + min + ") must be between 1 and sluice.flow.max-in-flight (" + max + ")");
            }
            if (!(headroom >= 1.0)) {
                throw new IllegalArgumentException("sluice.flow.window-headroom must be at least 1.0, was " + headroom);
            }
            if (!(hysteresis >= 0.0 && hysteresis < 1.0)) {
                throw new IllegalArgumentException("sluice.flow.window-hysteresis must be in [0, 1), was " + hysteresis);
            }
            if (intervalNanos <= 0 || settleSamples < 1) {
                throw new IllegalArgumentException("window interval must be positive and settle samples at least 1");
            }
        }
    }

    /**
     * The window and what it was set from.
     *
     * @param window records the source may keep in flight
     * @param reason why it has that size
     * @param arrivalRate λ: records committed per second in the last interval
     * @param timeInSystemMillis W: their mean time from poll to commit
     * @param needed L = λ·W, records in flight that traffic needs without headroom
     */
    public record Decision(int window, Reason reason, double arrivalRate, double timeInSystemMillis, long needed) {
    }

    private final Settings settings;
    private Decision current;
    private long sampledAtNanos;
    private long committedAtSample;
    private long inFlightNanosAtSample;
    private long pausedNanosAtSample;
    /** Last W in nanoseconds, for the interval's lower bound. */
    private long lastW;
    /** Samples in a row with L × headroom below the hysteresis. */
    private int below;

    /** A rule starting at the minimum window. */
    public AdaptiveWindow(Settings settings, long nowNanos) {
        this(settings, nowNanos, settings.min());
    }

    /** A rule starting at {@code startWindow} (clamped to the bounds), e.g. where the last run left it. */
    public AdaptiveWindow(Settings settings, long nowNanos, int startWindow) {
        this.settings = settings;
        this.sampledAtNanos = nowNanos;
        this.current = settings.adaptive() ? new Decision(clamp(startWindow), Reason.STARTING, 0, 0, 0)
                : new Decision(settings.max(), Reason.FIXED, 0, 0, 0);
    }

    public Decision current() {
        return current;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Takes a sample if the interval is over, and returns the (possibly new) decision.
     *
     * @param committed records committed so far (cumulative)
     * @param inFlightNanos their summed time from poll to commit so far (cumulative)
     * @param pausedNanos time the source was paused so far (cumulative)
     */
    public Decision observe(long nowNanos, long committed, long inFlightNanos, long pausedNanos) {
        long elapsed = nowNanos - sampledAtNanos;
        if (elapsed < Math.max(settings.intervalNanos(), Math.min(2 * lastW, MAX_WAIT_INTERVALS * settings.intervalNanos()))) {
            return current;
        }
        long records = committed - committedAtSample;
        long residence = inFlightNanos - inFlightNanosAtSample;
        long paused = pausedNanos - pausedNanosAtSample;
        sampledAtNanos = nowNanos;
        committedAtSample = committed;
        inFlightNanosAtSample = inFlightNanos;
        pausedNanosAtSample = pausedNanos;
        if (records <= 0) {
            current = new Decision(current.window(), settings.adaptive() ? Reason.IDLE : Reason.FIXED, 0, 0, 0);
            return current;
        }
        double rate = records * 1e9 / elapsed;
        long w = Math.max(0, residence / records);
        lastW = w;
        long needed = (long) Math.ceil(rate * w / 1e9);
        boolean held = paused >= HELD_SHARE * elapsed;
        current = decide(current.window(), rate, needed, held, w / 1e6);
        return current;
    }

    private Decision decide(int window, double rate, long needed, boolean held, double wMillis) {
        if (!settings.adaptive()) {
            return new Decision(settings.max(), Reason.FIXED, rate, wMillis, needed);
        }
        int target = clamp(Math.ceil(needed * settings.headroom()));
        if (held) {
            below = 0;
            if (window >= settings.max()) {
                return new Decision(window, Reason.AT_BOUND, rate, wMillis, needed);
            }
            return new Decision(clamp(Math.max(target, Math.ceil(window * PROBE_GROWTH))), Reason.PROBING, rate, wMillis, needed);
        }
        if (target > window) {
            below = 0;
            return new Decision(target, Reason.DEMAND_GREW, rate, wMillis, needed);
        }
        if (target < window * (1 - settings.hysteresis())) {
            below++;
            if (below >= settings.settleSamples()) {
                below = 0;
                // at most halved per step: a dip after a burst does not drop it to where the next burst is held
                return new Decision(clamp(Math.max(target, window / 2.0)), Reason.DEMAND_FELL, rate, wMillis, needed);
            }
        } else {
            below = 0;
        }
        return new Decision(window, Reason.STEADY, rate, wMillis, needed);
    }

    private int clamp(double records) {
        return (int) Math.max(settings.min(), Math.min(settings.max(), records));
    }
}
