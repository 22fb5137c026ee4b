package ai.preempt.robustify;

import java.util.Locale;

/** How the L2 robustifier turns a gradient into a step. */
public enum L2Step {
    /**
     * Scale-free (the default): x_s ← Π(x_s − β_t·δ·g/‖g‖₂) with β_t decaying from β to β/10 along a cosine
     * schedule; the step depends on the gradient's direction only, so the model's logit scale does not matter.
     */
    NORMALIZED,
    /** The reference's: x_s ← Π(x_s − β·g) on the raw gradient (β = 0.001); for parity runs. */
    RAW;

    /** @return the mode named {@code s} */
    public static L2Step parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "normalized", "normalised", "scale-free" -> NORMALIZED;
            case "raw" -> RAW;
            default -> throw new IllegalArgumentException("--l2-step must be normalized or raw, got " + s);
        };
    }
}
