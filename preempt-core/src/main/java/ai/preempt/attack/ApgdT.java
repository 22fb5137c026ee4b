package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;

/**
 * APGD-T (Croce &amp; Hein, ICML 2020): Auto-PGD on the targeted DLR loss
 * −(z_y − z_t)/(z_π1 − (z_π3 + z_π4)/2), run once per target class t = the 2nd, 3rd, … highest logit of
 * the clean prediction (9 targets by default), each run on the images still robust. Success is
 * untargeted (any wrong label), as in AutoAttack. Needs at least four classes. Seeded per batch.
 */
public final class ApgdT extends BaseAttack {

    private final int iterations;
    private final int targets;
    private final int restarts;
    private final long seed;

    private ApgdT(Builder b) {
        super("apgd-t", b);
        this.iterations = b.iterations;
        this.targets = b.targets;
        this.restarts = b.restarts;
        this.seed = b.seed;
    }

    /** @return a builder; {@link Builder#setThreat} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the number of target classes */
    public int targetClasses() {
        return targets;
    }

    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            int k = f.numClasses();
            if (k < 4) {
                throw new IllegalArgumentException("APGD-T's DLR loss needs at least 4 classes, the model has " + k);
            }
            Rng rng = Rng.forBatch(seed, x);
            Outcome out = new Outcome(x, y);
            long[][] targetsByRank = PerImage.targetClasses(f, x, targets);
            for (int rank = 0; rank < targetsByRank.length && !out.done(); rank++) {
                Apgd.restarts(out, f, threat, x, y, targetsByRank[rank], Losses::dlrTargeted, iterations, restarts,
                        rng);
            }
            return out.finish(f);
        });
    }

    @Override
    public String toString() {
        return String.format("APGD-T(%s, iterations=%d, targets=%d, restarts=%d, rho=%.2f, momentum=%.2f, seed=%d)",
                threat.describe(), iterations, targets, restarts, Apgd.RHO, Apgd.MOMENTUM, seed);
    }

    /** Builder with AutoAttack "standard"'s defaults: 100 iterations, 9 target classes, 1 restart each. */
    public static final class Builder extends SeededBuilder<Builder, ApgdT> {

        private int iterations = 100;
        private int targets = 9;
        private int restarts = 1;

        private Builder() {
            super("APGD-T");
        }

        /** Iterations per target (default 100). */
        public Builder optIterations(int n) {
            this.iterations = Checks.atLeast(1, n, "APGD needs at least 1 iteration");
            return this;
        }

        /** Number of target classes, the most likely wrong ones first (default 9). */
        public Builder optTargetClasses(int n) {
            this.targets = Checks.atLeast(1, n, "need at least 1 target class");
            return this;
        }

        /** Restarts per target (default 1). */
        public Builder optRestarts(int r) {
            this.restarts = Checks.atLeast(1, r, "restarts must be at least 1");
            return this;
        }

        @Override
        ApgdT create() {
            return new ApgdT(this);
        }
    }
}
