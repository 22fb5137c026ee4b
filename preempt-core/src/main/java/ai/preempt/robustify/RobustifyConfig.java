package ai.preempt.robustify;

import ai.preempt.threat.Norm;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;

/**
 * Settings of preemptive robustification (Algorithm 1). Defaults are the reference implementation's:
 * T = 100 outer steps, inner PGD with K = 20 steps of α = ε/4 and the reference random start, m = 1
 * sample, δ = ε, outer start at a random point of B_δ(x_o), and learning rate 0.1 (L∞, RMSProp on the
 * tanh parametrisation). For L2 the default is Preempt's scale-free step (β = 0.1 of δ per step, cosine-decayed);
 * the reference's raw step (β = 0.001 on the raw gradient) is {@link L2Step#RAW}.
 *
 * @param norm the norm of both budgets
 * @param eps the adversary's budget ε (inner PGD)
 * @param delta the defender's budget δ (how far x_s may move from x_o)
 * @param outerSteps T
 * @param innerSteps K
 * @param innerStepSize α of the inner PGD
 * @param innerStart random start of the inner PGD
 * @param samples m, inner random starts averaged per outer step
 * @param lr β, the outer learning rate
 * @param outerStart where x_s starts: a random point of B_δ(x_o) (SPHERE/BALL, the reference) or x_o (NONE, the paper)
 * @param seed seeds every random choice
 * @param l2Step L2 only: scale-free normalised steps (default) or the reference's raw gradient steps
 * @param fast per-image early exit, or null to run all T steps (the reference)
 * @param fastest the fastest mode (warm start, cheap inner attack, confirmed exits; T is its budget), or null
 */
public record RobustifyConfig(Norm norm, double eps, double delta, int outerSteps, int innerSteps,
        double innerStepSize, RandomStart innerStart, int samples, double lr, RandomStart outerStart, long seed,
        L2Step l2Step, FastMode fast, FastestMode fastest) {

    /** Validates; throws IllegalArgumentException with one sentence. */
    public RobustifyConfig {
        if (!(eps > 0 && eps <= 1)) {
            throw new IllegalArgumentException("--eps must lie in (0, 1], got " + eps);
        }
        if (!(delta >= 0 && delta <= 1)) {
            throw new IllegalArgumentException("--delta must lie in [0, 1], got " + delta);
        }
        if (outerSteps < 0 || innerSteps < 0) {
            throw new IllegalArgumentException("step counts must not be negative");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        }
        if (fast != null && fastest != null) {
            throw new IllegalArgumentException("choose one speed: fast or fastest");
        }
        if (!(lr > 0) || !(innerStepSize > 0)) {
            throw new IllegalArgumentException("learning rate and step size must be positive");
        }
    }

    /** @return the adversary's ball */
    public ThreatModel adversary() {
        return ThreatModel.of(norm, eps);
    }

    /** @return passes (forward+backward) spent per image: T·m·(K+1) */
    public long passesPerImage() {
        return (long) outerSteps * samples * (innerSteps + 1);
    }

    /** @return a builder for the given norm and ε, with every other setting at the reference default */
    public static Builder builder(Norm norm, double eps) {
        return new Builder(norm, eps);
    }

    /** @return a builder pre-filled with this configuration */
    public Builder toBuilder() {
        Builder b = new Builder(norm, eps);
        b.delta = delta;
        b.outerSteps = outerSteps;
        b.innerSteps = innerSteps;
        b.innerStepSize = innerStepSize;
        b.innerStart = innerStart;
        b.samples = samples;
        b.lr = lr;
        b.outerStart = outerStart;
        b.seed = seed;
        b.l2Step = l2Step;
        b.fast = fast;
        b.fastest = fastest;
        return b;
    }

    /** Builder; unset values take the reference defaults. */
    public static final class Builder {
        private final Norm norm;
        private final double eps;
        private double delta = Double.NaN;
        private int outerSteps = 100;
        private int innerSteps = 20;
        private double innerStepSize = Double.NaN;
        private RandomStart innerStart = RandomStart.SPHERE;
        private int samples = 1;
        private double lr = Double.NaN;
        private RandomStart outerStart = RandomStart.SPHERE;
        private long seed;
        private L2Step l2Step = L2Step.NORMALIZED;
        private FastMode fast;
        private FastestMode fastest;

        Builder(Norm norm, double eps) {
            this.norm = norm;
            this.eps = eps;
        }

        /** δ (default ε). */
        public Builder optDelta(double v) { delta = v; return this; }
        /** T (default 100). */
        public Builder optOuterSteps(int v) { outerSteps = v; return this; }
        /** K (default 20). */
        public Builder optInnerSteps(int v) { innerSteps = v; return this; }
        /** α (default ε/4). */
        public Builder optInnerStepSize(double v) { innerStepSize = v; return this; }
        /** Inner random start (default the reference's). */
        public Builder optInnerStart(RandomStart v) { innerStart = v; return this; }
        /** m (default 1). */
        public Builder optSamples(int v) { samples = v; return this; }
        /** β (default 0.1 for L∞, 0.001 for L2). */
        public Builder optLr(double v) { lr = v; return this; }
        /** Outer start (default: random point of B_δ, as the reference; NONE starts at x_o, as the paper). */
        public Builder optOuterStart(RandomStart v) { outerStart = v; return this; }
        /** Seed (default 0). */
        public Builder optSeed(long v) { seed = v; return this; }
        /** L2 step rule (default scale-free). */
        public Builder optL2Step(L2Step v) { l2Step = v; return this; }
        /** Per-image early exit (default off). */
        public Builder optFast(FastMode v) { fast = v; return this; }
        /** The fastest mode (default off); T is then its per-image budget of outer steps. */
        public Builder optFastest(FastestMode v) { fastest = v; return this; }

        /** @return the validated configuration */
        public RobustifyConfig build() {
            return new RobustifyConfig(norm, eps, Double.isNaN(delta) ? eps : delta, outerSteps, innerSteps,
                    Double.isNaN(innerStepSize) ? eps / 4 : innerStepSize, innerStart, samples,
                    Double.isNaN(lr) ? defaultLr(norm, l2Step) * (fastest == null ? 1 : fastest.lrScale()) : lr,
                    outerStart, seed, l2Step, fast, fastest);
        }

        private static double defaultLr(Norm norm, L2Step step) {
            return norm == Norm.LINF ? 0.1 : step == L2Step.RAW ? 0.001 : 0.1;
        }
    }
}
