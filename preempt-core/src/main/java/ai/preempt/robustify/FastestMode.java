package ai.preempt.robustify;

import java.util.Locale;

/**
 * The fastest preemption ({@code --speed fastest}), run by {@link FastestLoop}: a cheap warm start, a few outer
 * steps against a very cheap inner attack, and the same honest exit as {@link FastMode}: an image leaves only
 * when PGD-K with {@code restarts} random restarts fails on its 8-bit version and the cross-entropy at every
 * restart's end point is below {@code lossThreshold}. The configuration's T is the per-image budget of outer
 * steps; images that never pass a check return their point after T steps, like the default.
 *
 * <p>Order per image: {@code warmSteps} plain descent steps on CE(f(x), ŷ) inside B_δ(x_o) from x_o (one
 * pass each, steps of {@code warmStep}·δ in the threat's steepest-descent direction); then outer steps
 * against PGD-{@code innerSteps} with step {@code innerStep}·ε; after the first outer step and every
 * {@code checkEvery} steps, images whose robust loss at that step is below {@code screenThreshold} (free to
 * know, it is the outer step's own loss) are confirmed by the full check. Every random draw is seeded per
 * image, so an image's result does not depend on the batch it is in.
 *
 * @param warmSteps plain descent steps before any robust step (0: start at x_o)
 * @param warmStep warm step size as a fraction of δ
 * @param innerSteps inner PGD steps while optimising (at least 1)
 * @param innerStep inner step size as a fraction of ε
 * @param checkEvery outer steps between checks
 * @param restarts PGD-K restarts of the check
 * @param lossThreshold exit only if the check's loss is below this (Lemma 1's log 2 with a margin)
 * @param screenThreshold an image is checked only if its robust loss at the cheap attack is below this
 * @param lateFrom from this outer step (0-based) on, the images still in the batch (those no check has let out)
 *     optimise against PGD-{@code lateInner} instead
 * @param lateInner inner PGD steps from {@code lateFrom} on (same step size)
 * @param lrScale the outer learning rate β as a multiple of the norm's default when none is given: with 30
 *     steps instead of 100 a larger step travels as far (tuned on training images: 2 kept 5 of 300 more L∞ images
 *     robust than 1, and 1 more L2 image, at the same passes; docs/results/speed)
 */
public record FastestMode(int warmSteps, double warmStep, int innerSteps, double innerStep, int checkEvery,
        int restarts, double lossThreshold, double screenThreshold, int lateFrom, int lateInner, double lrScale) {

    /** The defaults (how they were chosen: docs/results/speed/README.md). */
    public static final FastestMode DEFAULT = new FastestMode(3, 0.5, 2, 0.5, 3, 2, 0.8 * Math.log(2),
            0.8 * Math.log(2), 16, 5, 2.0);

    /** Outer steps T of the fastest mode unless --steps says otherwise. */
    public static final int OUTER_STEPS = 30;

    /** Validates. */
    public FastestMode {
        if (warmSteps < 0 || !(warmStep > 0) || innerSteps < 1 || !(innerStep > 0) || checkEvery < 1 || restarts < 1
                || !(lossThreshold > 0) || !(screenThreshold > 0) || lateFrom < 0 || lateInner < 1 || !(lrScale > 0)) {
            throw new IllegalArgumentException("the fastest mode needs warm steps ≥ 0, inner steps ≥ 1, checkEvery ≥ 1, "
                    + "restarts ≥ 1 and positive step sizes, thresholds and learning-rate scale");
        }
    }

    /** @return the inner PGD steps of outer step {@code t} (0-based) */
    public int innerSteps(int t) {
        return t >= lateFrom ? lateInner : innerSteps;
    }

    /** @return whether to check after outer step {@code t} (0-based) of {@code outerSteps} */
    public boolean checksAfter(int t, int outerSteps) {
        return t + 1 < outerSteps && (t == 0 || (t + 1) % checkEvery == 0);
    }

    private static final java.util.List<String> KEYS = java.util.List.of("warm", "warm-step", "inner", "inner-step",
            "check-every", "restarts", "threshold", "screen", "late-from", "late-inner", "lr-scale");

    /**
     * @param plan comma-separated {@code key=value} overrides of {@link #DEFAULT}: warm, warm-step, inner,
     *     inner-step, check-every, restarts, threshold, screen, late-from, late-inner, lr-scale
     * @return the plan
     */
    public static FastestMode parse(String plan) {
        java.util.Map<String, Double> v = new java.util.HashMap<>();
        if (plan != null && !plan.isBlank()) {
            for (String kv : plan.split(",")) {
                String[] p = kv.split("=", 2);
                String key = p[0].trim().toLowerCase(Locale.ROOT);
                if (p.length != 2 || !KEYS.contains(key)) {
                    throw new IllegalArgumentException("--fastest-plan takes key=value pairs with keys " + KEYS
                            + ", got " + kv);
                }
                try {
                    v.put(key, Double.parseDouble(p[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--fastest-plan: " + key + " needs a number, got " + p[1]);
                }
            }
        }
        FastestMode d = DEFAULT;
        return new FastestMode(v.getOrDefault("warm", (double) d.warmSteps).intValue(),
                v.getOrDefault("warm-step", d.warmStep), v.getOrDefault("inner", (double) d.innerSteps).intValue(),
                v.getOrDefault("inner-step", d.innerStep), v.getOrDefault("check-every", (double) d.checkEvery).intValue(),
                v.getOrDefault("restarts", (double) d.restarts).intValue(), v.getOrDefault("threshold", d.lossThreshold),
                v.getOrDefault("screen", d.screenThreshold),
                v.getOrDefault("late-from", (double) d.lateFrom).intValue(),
                v.getOrDefault("late-inner", (double) d.lateInner).intValue(), v.getOrDefault("lr-scale", d.lrScale));
    }
}
