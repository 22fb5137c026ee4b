package ai.preempt.cli;

import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Budget;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of Algorithm 1; every default is the reference implementation's. */
final class RobustifyOptions {

    @Mixin ThreatOptions threatOptions;

    @Option(names = "--delta", description = "Defender budget δ: how far an image may move (default: eps).")
    String delta;

    @Option(names = "--steps", description = "Outer steps T (default: 100; 30 with --speed fastest, where T is each "
            + "image's budget).")
    Integer steps;

    @Option(names = "--inner-steps", defaultValue = "20", description = "Inner PGD steps K (default: ${DEFAULT-VALUE}).")
    int innerSteps;

    @Option(names = "--samples", defaultValue = "1", description = "Inner random starts m averaged per step (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--lr", description = "Outer learning rate β (default: 0.1; for linf the RMSProp rate, for the "
            + "normalized l2 step the fraction of delta per step; 0.001 for --l2-step raw; twice these with --speed "
            + "fastest).")
    Double lr;

    @Option(names = "--start", defaultValue = "random",
            description = "Outer start: random (a random point of the δ-ball, the reference) or original (the paper) (default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--l2-step",
            description = "L2 step rule: normalized (scale-free, the default) or raw (the reference's, use with --lr 0.001; "
                    + "eval --smoothed defaults to raw with --lr 0.005, the paper's setting for smoothed classifiers).")
    String l2Step;

    /** @return whether --l2-step was given */
    boolean l2StepGiven() {
        return l2Step != null;
    }

    @Option(names = "--speed", defaultValue = "default", description = "default (all T steps, the reference), fast "
            + "(per-image early exit, ~6x fewer passes; same as --fast) or fastest (3 warm descent steps, then T = 30 "
            + "outer steps of twice the learning rate against PGD-2, PGD-5 from step 17, the same confirmed exits; "
            + "~20x fewer passes) "
            + "(default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--fastest-plan", paramLabel = "KEY=VALUE,...", description = "With --speed fastest: override its "
            + "settings (warm, warm-step, inner, inner-step, check-every, restarts, threshold, screen, late-from, "
            + "late-inner, lr-scale; see docs/results/speed).")
    String fastestPlan;

    @Option(names = "--fast", description = "The same as --speed fast. Per-image early exit: after the first and every 5th outer step attack the "
            + "8-bit image (PGD-K, 2 restarts); images no restart fools and whose robust loss is below 0.8 log 2 are "
            + "final. Between checks optimise against PGD with --fast-inner-steps steps; the last --fast-polish-steps "
            + "steps optimise what is left against the full K-step PGD.")
    boolean fast;

    @Option(names = "--fast-inner-steps", defaultValue = "3", description = "With --fast: inner PGD steps while "
            + "optimising (0 = K; the exit check always uses K) (default: ${DEFAULT-VALUE}).")
    int fastInnerSteps;

    @Option(names = "--fast-polish-steps", description = "With --fast: the last outer steps optimise the images still "
            + "in the batch against the full K-step attack (default: 10).")
    Integer fastPolishSteps;

    @Option(names = "--fast-check-every", description = "With --fast: outer steps between exit checks (default: 5).")
    Integer fastCheckEvery;

    @Option(names = "--fast-threshold", description = "With --fast: an image exits only if its robust loss is "
            + "below this (default: 0.8 log 2 = 0.555; Lemma 1 needs less than log 2).")
    Double fastThreshold;

    /** @return the configuration at the speed the options chose */
    /** @return whether --speed or --fast was given (a command with another default speed then follows it) */
    boolean speedGiven() {
        return fast || !speed.trim().equalsIgnoreCase("default");
    }

    RobustifyConfig config() {
        String s = speed.trim().toLowerCase(Locale.ROOT);
        if (fast && !s.equals("default") && !s.equals("fast")) {
            throw new IllegalArgumentException("--fast is --speed fast; it cannot be combined with --speed " + speed);
        }
        return config(fast ? "fast" : s);
    }

    /** @return the configuration at {@code speedName} (default, fast or fastest) whatever --speed says (the bench compares them) */
    RobustifyConfig config(String speedName) {
        boolean fastMode = speedName.equals("fast");
        boolean fastest = speedName.equals("fastest");
        if (!fastMode && !fastest && !speedName.equals("default")) {
            throw new IllegalArgumentException("the speed must be default, fast or fastest, got " + speedName);
        }
        ThreatModel t = threatOptions.threat();
        int outerSteps = steps != null ? steps : fastest ? ai.preempt.robustify.FastestMode.OUTER_STEPS : 100;
        RobustifyConfig.Builder b = RobustifyConfig.builder(t.norm(), t.eps()).optOuterSteps(outerSteps)
                .optInnerSteps(innerSteps).optSamples(samples).optSeed(seed);
        if (delta != null) {
            double d = Double.parseDouble(delta.contains("/") ? Double.toString(Budget.parse(delta, "--delta")) : delta);
            if (d < 0) {
                throw new IllegalArgumentException("--delta must not be negative, got " + delta);
            }
            b.optDelta(d);
        }
        if (lr != null) {
            if (!(lr > 0)) {
                throw new IllegalArgumentException("--lr must be positive, got " + lr);
            }
            b.optLr(lr);
        }
        b.optOuterStart(switch (start.toLowerCase(Locale.ROOT)) {
            case "random" -> RandomStart.SPHERE;
            case "original" -> RandomStart.NONE;
            default -> throw new IllegalArgumentException("--start must be random or original, got " + start);
        });
        b.optL2Step(ai.preempt.robustify.L2Step.parse(l2Step == null ? "normalized" : l2Step));
        if (fastMode) {
            ai.preempt.robustify.FastMode d = ai.preempt.robustify.FastMode.DEFAULT;
            b.optFast(new ai.preempt.robustify.FastMode(fastCheckEvery == null ? d.checkEvery() : fastCheckEvery,
                    d.restarts(), fastThreshold == null ? d.lossThreshold() : fastThreshold, fastInnerSteps,
                    fastPolishSteps == null ? d.polishSteps() : fastPolishSteps));
        }
        if (fastest) {
            b.optFastest(ai.preempt.robustify.FastestMode.parse(fastestPlan));
        }
        return b.build();
    }
}
