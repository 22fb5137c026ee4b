package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;

/**
 * APGD-CE (Croce &amp; Hein, ICML 2020): Auto-PGD on the cross-entropy, untargeted. 100 iterations,
 * momentum 0.75, initial step 2ε, step halving at the checkpoints with ρ = 0.75 and restart from the
 * best point; L∞ and L2. Restarts attack only the images not yet fooled. Seeded per batch.
 */
public final class ApgdCe extends BaseAttack {

    private final int iterations;
    private final int restarts;
    private final long seed;

    private ApgdCe(Builder b) {
        super("apgd-ce", b);
        this.iterations = b.iterations;
        this.restarts = b.restarts;
        this.seed = b.seed;
    }

    /** @return a builder; {@link Builder#setThreat} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return iterations per restart */
    public int iterations() {
        return iterations;
    }

    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            Rng rng = Rng.forBatch(seed, x);
            Outcome out = new Outcome(x, y);
            Apgd.restarts(out, f, threat, x, y, null, (logits, ys, ts) -> Losses.crossEntropy(logits, ys),
                    iterations, restarts, rng);
            return out.finish(f);
        });
    }

    @Override
    public String toString() {
        return String.format("APGD-CE(%s, iterations=%d, restarts=%d, rho=%.2f, momentum=%.2f, seed=%d)",
                threat.describe(), iterations, restarts, Apgd.RHO, Apgd.MOMENTUM, seed);
    }

    /** Builder with the published defaults: 100 iterations, 1 restart (AutoAttack "standard"). */
    public static final class Builder extends SeededBuilder<Builder, ApgdCe> {

        private int iterations = 100;
        private int restarts = 1;

        private Builder() {
            super("APGD-CE");
        }

        /** Iterations per restart (default 100). */
        public Builder optIterations(int n) {
            this.iterations = Checks.atLeast(1, n, "APGD needs at least 1 iteration");
            return this;
        }

        /** Restarts, each on the images still robust (default 1). */
        public Builder optRestarts(int r) {
            this.restarts = Checks.atLeast(1, r, "restarts must be at least 1");
            return this;
        }

        @Override
        ApgdCe create() {
            return new ApgdCe(this);
        }
    }
}
