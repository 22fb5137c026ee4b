package ai.preempt.train;

import java.util.Locale;

/** Learning-rate schedules, as a function of training progress. */
public enum Schedule {
    /** The paper's: constant, then ×0.1 at 50% and at 75% of the epochs. */
    STEP,
    /** One-cycle (Smith): linear warm-up to the peak over the first 40%, linear decay to 0 after. */
    ONECYCLE;

    /**
     * @param peak the peak (or initial) learning rate
     * @param progress fraction of training done, in [0, 1]
     * @return the learning rate at that point
     */
    public double rate(double peak, double progress) {
        return switch (this) {
            case STEP -> progress < 0.5 ? peak : progress < 0.75 ? peak * 0.1 : peak * 0.01;
            case ONECYCLE -> progress < 0.4 ? peak * progress / 0.4 : peak * Math.max(0, (1 - progress) / 0.6);
        };
    }

    /** @return the schedule named {@code s} */
    public static Schedule parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "step" -> STEP;
            case "onecycle", "one-cycle" -> ONECYCLE;
            default -> throw new IllegalArgumentException("unknown schedule '" + s + "': use step or onecycle");
        };
    }
}
