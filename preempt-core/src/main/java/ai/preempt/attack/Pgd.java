package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.threat.RandomStart;

/**
 * Projected gradient descent (Madry et al. 2018) on the cross-entropy, as method.md pins it: K steps of
 * size α (L∞: x ← x + α·sign(g); L2: x ← x + α·g/(‖g‖₂+1e-10)), a projection onto B_ε(x) ∩ [0,1] after
 * every step, a random start, and restarts. An image counts as robust only if every restart fails; for
 * a fooled image the first successful restart's end point is returned. Targeted mode descends the
 * cross-entropy toward the given target labels instead.
 *
 * <p>Restarts of a small batch (at most {@value #SIDE_BY_SIDE_ROWS} rows in all) run side by side as one batch
 * instead of one after another: a pass over a few rows costs about what a pass over one row costs (every pass
 * runs on at least 4 rows, see {@link ai.preempt.model.MinRowsClassifier}, and per-operation overhead dominates),
 * so fast mode's exit checks, which attack a handful of candidates with two restarts, take one pass where they
 * took two. Each image's result is the same either way (to the last float bit, where PyTorch splits a reduction
 * over threads by batch size): its restarts draw their starts from the same child streams, the loss is per image
 * and summed, and a pass treats rows independently. The price is that a restart
 * no longer stops early once every image is fooled, which the check's candidates (robust so far) rarely are.
 */
public final class Pgd extends BaseAttack {

    /** Largest restarts × rows run side by side; about where a pass's cost per row stops falling (batch 32). */
    static final int SIDE_BY_SIDE_ROWS = 32;

    private final int steps;
    private final double stepSize;
    private final RandomStart start;
    private final int restarts;
    private final boolean targeted;
    private final long seed;

    private Pgd(Builder b) {
        super("pgd", b);
        this.steps = b.steps;
        this.stepSize = Double.isNaN(b.stepSize) ? b.threat.eps() / 4 : b.stepSize;
        this.start = b.start;
        this.restarts = b.restarts;
        this.targeted = b.targeted;
        this.seed = b.seed;
    }

    /** @return a builder; {@link Builder#setThreat} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the number of steps K */
    public int steps() {
        return steps;
    }

    /** @return the step size α */
    public double stepSize() {
        return stepSize;
    }

    /** @return the number of restarts */
    public int restarts() {
        return restarts;
    }

    /** @return the random start mode */
    public RandomStart randomStart() {
        return start;
    }

    /**
     * {@inheritDoc} With {@link Builder#optTargeted}, {@code y} holds the target labels.
     *
     * <p>The random starts are drawn per image ({@link Rng#forImages}): an image gets the same result whatever
     * was attacked before it and whatever else shares its batch.
     */
    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> perturb(f, x, y, Rng.forImages(seed, x)));
    }

    /**
     * As {@link #perturb(Classifier, NDArray, NDArray)} with the random starts drawn from the given per-image
     * stream (one row per image of x, e.g. images of several seeds appended: {@link Rng#append}) instead of this
     * attack's seed.
     */
    public AttackResult perturb(Classifier f, NDArray x, NDArray y, Rng rng) {
        return PreemptEngine.call(() -> {
            int n = (int) x.getShape().get(0);
            long[] labels = y.toType(DataType.INT64, false).toLongArray();
            if (restarts > 1 && (long) n * restarts <= SIDE_BY_SIDE_ROWS) {
                return sideBySide(f, x, y, rng, labels);
            }
            boolean[] success = new boolean[n];
            long[] preds = new long[n];
            NDArray best = null;
            for (int r = 0; r < restarts; r++) {
                NDArray adv = run(f, x, y, rng.split());
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    long[] p = f.predict(adv).toLongArray();
                    NDArray keep;
                    boolean[] hit = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        hit[i] = hit(p[i], labels[i]);
                    }
                    if (best == null) {
                        keep = adv;
                    } else {
                        // keep earlier successes; otherwise take this restart's point
                        boolean[] take = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            take[i] = !success[i];
                        }
                        keep = Rows.where(take, adv, best);
                    }
                    for (int i = 0; i < n; i++) {
                        if (!success[i]) {
                            preds[i] = p[i];
                            success[i] = hit[i];
                        }
                    }
                    NDScope.unregister(keep);
                    if (best != null && best != keep) {
                        best.close();
                    }
                    if (adv != keep) {
                        adv.close();
                    }
                    best = keep;
                }
                if (PerImage.all(success)) {
                    break;
                }
            }
            return new AttackResult(best, success, preds);
        });
    }

    /**
     * All restarts as one batch: row r·n + i is restart r of image i, from the start restart r draws
     * sequentially. Per image: the first restart that fooled it, else the last one's end point.
     */
    private AttackResult sideBySide(Classifier f, NDArray x, NDArray y, Rng rng, long[] labels) {
        int n = labels.length;
        boolean[] success = new boolean[n];
        long[] preds = new long[n];
        NDArray best = Scopes.keep(() -> {
            NDList starts = new NDList();
            NDList xs = new NDList();
            NDList ys = new NDList();
            for (int r = 0; r < restarts; r++) {
                Rng child = rng.split();
                starts.add(threat.randomStart(x, start, child));
                xs.add(x);
                ys.add(y);
            }
            NDArray adv = runFrom(f, NDArrays.concat(xs), NDArrays.concat(ys), NDArrays.concat(starts));
            long[] p = f.predict(adv).toLongArray();
            int[] pick = new int[n];
            for (int i = 0; i < n; i++) {
                int r = 0;
                while (r < restarts - 1 && !hit(p[r * n + i], labels[i])) {
                    r++;
                }
                pick[i] = r * n + i;
                preds[i] = p[pick[i]];
                success[i] = hit(preds[i], labels[i]);
            }
            return Rows.select(adv, pick);
        });
        return new AttackResult(best, success, preds);
    }

    private boolean hit(long prediction, long label) {
        return targeted ? prediction == label : prediction != label;
    }

    /** One PGD run from a fresh random start, without restarts or success bookkeeping; returns the end point. */
    public NDArray run(Classifier f, NDArray x, NDArray y, Rng rng) {
        return runFrom(f, x, y, Scopes.keep(() -> threat.randomStart(x, start, rng)));
    }

    /**
     * One PGD run from a given start point (inside B_ε(x) ∩ [0,1]); returns the end point and closes the start.
     * For callers that draw the random start themselves, e.g. per image.
     */
    public NDArray runFrom(Classifier f, NDArray x, NDArray y, NDArray startPoint) {
        NDArray adv = startPoint;
        for (int k = 0; k < steps; k++) {
            NDArray cur = adv;
            adv = Scopes.keep(() -> {
                Gradients.LossGrad lg = Gradients.of(cur, in -> Losses.crossEntropy(f.logits(in), y));
                NDArray g = targeted ? lg.grad().neg() : lg.grad();
                return threat.project(x, threat.ascentStep(cur, g, stepSize));
            });
            cur.close();
        }
        return adv;
    }

    @Override
    public String toString() {
        return String.format("PGD(%s, steps=%d, alpha=%.5f, start=%s, restarts=%d%s, seed=%d)", threat.describe(),
                steps, stepSize, start.name().toLowerCase(java.util.Locale.ROOT), restarts,
                targeted ? ", targeted" : "", seed);
    }

    /** Builder with method.md's defaults: K = 20, α = ε/4, one reference random start, untargeted. */
    public static final class Builder extends SeededBuilder<Builder, Pgd> {

        private int steps = 20;
        private double stepSize = Double.NaN;
        private RandomStart start = RandomStart.SPHERE;
        private int restarts = 1;
        private boolean targeted;

        private Builder() {
            super("PGD");
        }

        /** Number of steps K (default 20). */
        public Builder optSteps(int k) {
            this.steps = Checks.atLeast(0, k, "--steps must be at least 0");
            return this;
        }

        /** Step size α (default ε/4). */
        public Builder optStepSize(double alpha) {
            if (!(alpha > 0)) {
                throw new IllegalArgumentException("the step size must be positive, got " + alpha);
            }
            this.stepSize = alpha;
            return this;
        }

        /** Random start mode (default the reference's). */
        public Builder optRandomStart(RandomStart s) {
            this.start = s;
            return this;
        }

        /** Number of random restarts (default 1). */
        public Builder optRestarts(int r) {
            this.restarts = Checks.atLeast(1, r, "--restarts must be at least 1");
            return this;
        }

        /** Targeted mode: labels passed to perturb are targets. */
        public Builder optTargeted(boolean t) {
            this.targeted = t;
            return this;
        }

        @Override
        Pgd create() {
            return new Pgd(this);
        }
    }
}
