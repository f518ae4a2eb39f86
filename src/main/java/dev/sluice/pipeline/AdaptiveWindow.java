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
 *       not visible, and L = λ·W only restates the window (in flight sits at it). What tells a
 *       window that limits throughput from one that only queues records behind a saturated stage
 *       is what λ does when the window changes, so a backlog is a search for the knee — the
 *       smallest window that keeps the throughput — as a congestion window's (Vegas, BBR):
 *       <ol>
 *         <li><em>Climbing</em>: the window doubles while λ follows it (rises by more than
 *             {@code kneeTolerance}); a burst behind a small window gets its throughput at once.</li>
 *         <li><em>Seeking</em>: once growth no longer raises λ (or the window is the bound), it
 *             comes down a fifth per sample as long as λ stays within {@code kneeTolerance} of the
 *             best λ of the search.</li>
 *         <li><em>At the knee</em>: a step that costs more than that in two samples in a row (one
 *             may be a neighbour's noise) goes back to the last window that kept λ, which holds
 *             for {@code kneeHoldNanos}; then one step up starts the search again, so a stage that
 *             got faster (or slower) moves the knee with it. Should λ fall by more than twice the
 *             tolerance during the hold (a stage that slowed down, so the window may limit now),
 *             the hold ends at once and the window climbs again.</li>
 *       </ol>
 *       Two samples below the knee per search are the price: about a fifth of the throughput for
 *       two samples in {@code kneeHold}. A stage that slows down while the window grows makes λ
 *       stop following, which stops the climb where it is; a stage that slows down while the
 *       window comes down ends the descent at the last window that kept λ, never lower.</li>
 *   <li>No record committed in the interval: nothing is learnt; the window holds.</li>
 * </ul>
 * In {@code fixed} mode the window is {@code max}; λ, W and L are measured and reported all the same.
 *
 * <p>Pure (no clock of its own, no threads, no I/O) and not thread-safe: confined to the poll thread.
 */
public final class AdaptiveWindow {

    /** The source counts as held at the window when paused for at least this share of the interval. */
    static final double HELD_SHARE = 0.25;
    static final double PROBE_GROWTH = 2.0;
    /** Each step of the search for the knee takes this share of the window (a fifth off). */
    static final double SEEK_STEP = 0.8;
    /** The step up that starts a new search once the hold at the knee is over. */
    static final double RESEARCH_STEP = 1.25;
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
        /** The source was held at the window and λ followed the last growth (or a search starts again): raised. */
        PROBING,
        /** The source was held at the window, λ followed it, and the window is the configured bound. */
        AT_BOUND,
        /** The source was held, and a smaller window kept λ (within the knee tolerance): lowered a step toward the knee. */
        SEEKING,
        /** The source was held, and a smaller window cost throughput: back to the last window that kept it, held there. */
        AT_KNEE
    }

    /**
     * @param adaptive false for {@code sluice.flow.window=fixed}
     * @param min smallest window (and the starting one)
     * @param max the bound ({@code sluice.flow.max-in-flight})
     * @param headroom the window is L × this
     * @param hysteresis the window comes down only when L × headroom is this share below it
     * @param intervalNanos shortest sample interval
     * @param settleSamples samples in a row below the hysteresis before the window comes down
     * @param kneeTolerance under a backlog, a smaller window that keeps λ within this share of the
     *     search's best λ is as good (and a growth that raises λ by less is none)
     * @param kneeHoldNanos how long the window stays at the knee before the next search
     */
    public record Settings(boolean adaptive, int min, int max, double headroom, double hysteresis, long intervalNanos,
            int settleSamples, double kneeTolerance, long kneeHoldNanos) {

        /** The knee settings at their defaults (tolerance 0.05, hold 15 s). */
        public Settings(boolean adaptive, int min, int max, double headroom, double hysteresis, long intervalNanos, int settleSamples) {
            this(adaptive, min, max, headroom, hysteresis, intervalNanos, settleSamples, 0.05, 15_000_000_000L);
        }

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
            if (!(kneeTolerance > 0.0 && kneeTolerance < 1.0)) {
                throw new IllegalArgumentException("sluice.flow.knee-tolerance must be in (0, 1), was " + kneeTolerance);
            }
            if (kneeHoldNanos <= 0) {
                throw new IllegalArgumentException("sluice.flow.knee-hold must be positive");
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
    /** Where a backlog's search for the knee stands (held samples; reset when the source is not held). */
    private Phase phase = Phase.CLIMBING;
    /** λ of the previous held sample (climbing: did the last growth raise it?), 0 when none. */
    private double previousRate;
    /** The best λ of the current search: what a smaller window must keep. */
    private double bestRate;
    /** The smallest window of the current search that kept λ. */
    private int lastGood;
    /** The last seeking sample fell short of the best λ: a second one in a row ends the search. */
    private boolean doubted;
    /** When the hold at the knee ends. */
    private long holdUntilNanos;

    /** The search for the knee under a backlog (see the class comment). */
    private enum Phase { CLIMBING, SEEKING, HOLDING }

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
        current = decide(nowNanos, current.window(), rate, needed, held, w / 1e6);
        return current;
    }

    private Decision decide(long nowNanos, int window, double rate, long needed, boolean held, double wMillis) {
        if (!settings.adaptive()) {
            return new Decision(settings.max(), Reason.FIXED, rate, wMillis, needed);
        }
        if (held) {
            below = 0;
            return seek(nowNanos, window, rate, needed, wMillis);
        }
        phase = Phase.CLIMBING;
        previousRate = 0;
        int target = clamp(Math.ceil(needed * settings.headroom()));
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

    /** A sample with the source held at the window: one step of the search for the knee. */
    private Decision seek(long nowNanos, int window, double rate, long needed, double wMillis) {
        double tolerance = settings.kneeTolerance();
        switch (phase) {
            case CLIMBING -> {
                boolean followed = previousRate == 0 || rate > previousRate * (1 + tolerance);
                if (followed) {
                    previousRate = rate;
                    if (window >= settings.max()) {
                        return new Decision(window, Reason.AT_BOUND, rate, wMillis, needed);
                    }
                    int target = clamp(Math.ceil(needed * settings.headroom()));
                    return new Decision(clamp(Math.max(target, Math.ceil(window * PROBE_GROWTH))), Reason.PROBING, rate, wMillis, needed);
                }
                // growth no longer raises λ: the knee is at or below this window
                phase = Phase.SEEKING;
                bestRate = Math.max(rate, previousRate);
                lastGood = window;
                return stepDown(nowNanos, window, rate, wMillis, needed);
            }
            case SEEKING -> {
                if (rate >= bestRate * (1 - tolerance)) {
                    doubted = false;
                    bestRate = Math.max(bestRate, rate);
                    lastGood = window;
                    return stepDown(nowNanos, window, rate, wMillis, needed);
                }
                if (!doubted) {
                    // one low sample may be noise (a neighbour's load): look again at the same window
                    doubted = true;
                    return new Decision(window, Reason.SEEKING, rate, wMillis, needed);
                }
                return hold(nowNanos, lastGood, rate, wMillis, needed);
            }
            case HOLDING -> {
                if (rate < bestRate * (1 - 2 * tolerance)) {
                    // λ fell while the window stayed: the stage slowed (W grew) and the window may
                    // limit now, so the hold ends and the window climbs again while λ follows it
                    phase = Phase.CLIMBING;
                    previousRate = rate;
                    int target = clamp(Math.ceil(needed * settings.headroom()));
                    return new Decision(clamp(Math.max(target, Math.ceil(window * PROBE_GROWTH))), Reason.PROBING, rate, wMillis, needed);
                }
                if (nowNanos - holdUntilNanos < 0) {
                    return new Decision(window, Reason.AT_KNEE, rate, wMillis, needed);
                }
                // search again from one step up: a faster stage shows as λ following it
                phase = Phase.CLIMBING;
                previousRate = rate;
                return new Decision(clamp(Math.ceil(window * RESEARCH_STEP)), Reason.PROBING, rate, wMillis, needed);
            }
            default -> throw new IllegalStateException("unknown phase " + phase);
        }
    }

    /** A step toward the knee; at the minimum window the search ends there. */
    private Decision stepDown(long nowNanos, int window, double rate, double wMillis, long needed) {
        int next = clamp(Math.floor(window * SEEK_STEP));
        if (next >= window) {
            return hold(nowNanos, window, rate, wMillis, needed);
        }
        return new Decision(next, Reason.SEEKING, rate, wMillis, needed);
    }

    /** The knee found: back to {@code window}, held for the knee hold. */
    private Decision hold(long nowNanos, int window, double rate, double wMillis, long needed) {
        phase = Phase.HOLDING;
        doubted = false;
        holdUntilNanos = nowNanos + settings.kneeHoldNanos();
        return new Decision(window, Reason.AT_KNEE, rate, wMillis, needed);
    }

    private int clamp(double records) {
        return (int) Math.max(settings.min(), Math.min(settings.max(), records));
    }
}
