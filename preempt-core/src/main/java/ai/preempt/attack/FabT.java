package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import java.util.Arrays;

/**
 * FAB-T (Croce &amp; Hein, ICML 2020, "Minimally distorted adversarial examples with a fast adaptive
 * boundary attack"), targeted version as in AutoAttack "standard": for each target class t (the 2nd, 3rd, …
 * highest clean logit, 9 by default) and each image still robust, linearise z_t − z_y at the iterate x₁,
 * project both x₁ and the clean x₀ onto the half-space where the linearisation favours t (minimal L∞ or
 * L2 step that stays in [0,1]), and move to the convex combination
 * x₁ ← clip((x₁ + η·d₁)(1−α) + (x₀ + η·d₂)·α) with α = min(‖d₁‖/(‖d₁‖+‖d₂‖), α_max). Whenever x₁ is
 * misclassified the closest such point is kept and x₁ is pulled back toward x₀ by β. The attack
 * minimises the distortion; it succeeds on an image only if the closest misclassified point lies within ε.
 * Deterministic (no random start, as AutoAttack's single restart).
 */
public final class FabT extends BaseAttack {

    private final int iterations;
    private final int targets;
    private final double alphaMax;
    private final double eta;
    private final double beta;

    private FabT(Builder b) {
        super("fab-t", b);
        this.iterations = b.iterations;
        this.targets = b.targets;
        this.alphaMax = b.alphaMax;
        this.eta = b.eta;
        this.beta = b.beta;
    }

    /** @return a builder; {@link Builder#setThreat} is required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            Outcome out = new Outcome(x, y);
            long[][] targetsByRank = PerImage.targetClasses(f, x, targets);
            for (int rank = 0; rank < targetsByRank.length && !out.done(); rank++) {
                long[] target = targetsByRank[rank];
                out.attackRemaining((todo, idx) -> {
                    long[] ts = new long[idx.length];
                    long[] ys = new long[idx.length];
                    for (int k = 0; k < idx.length; k++) {
                        ts[k] = target[idx[k]];
                        ys[k] = out.labels()[idx[k]];
                    }
                    NDArray xs = PerImage.rows(x, todo);
                    Found found = run(f, xs, ys, ts);
                    boolean[] success = new boolean[idx.length];
                    for (int k = 0; k < idx.length; k++) {
                        success[k] = found.distance[k] <= threat.eps();
                    }
                    // failures keep the clean image: FAB's minimal point lies outside the ball
                    float[] v = xs.toFloatArray();
                    int dim = found.best.length / Math.max(idx.length, 1);
                    for (int k = 0; k < idx.length; k++) {
                        if (success[k]) {
                            System.arraycopy(found.best, k * dim, v, k * dim, dim);
                        }
                    }
                    return new Outcome.Part(x.getManager().create(v, xs.getShape()), success);
                });
            }
            return out.finish(f);
        });
    }

    private record Found(float[] best, double[] distance) {}

    /** One FAB-T run toward the targets {@code ts}; returns the closest misclassified points found. */
    private Found run(Classifier f, NDArray xs, long[] ys, long[] ts) {
        Shape shape = xs.getShape();
        int n = (int) shape.get(0);
        int dim = n == 0 ? 0 : (int) (shape.size() / n);
        float[] x0 = xs.toFloatArray();
        float[] x1 = x0.clone();
        float[] best = x0.clone();
        double[] res = new double[n];
        Arrays.fill(res, Double.POSITIVE_INFINITY);
        if (n == 0) {
            return new Found(best, res);
        }
        NDArray yArr = xs.getManager().create(ys);
        NDArray tArr = xs.getManager().create(ts);
        float[] d1 = new float[dim];
        float[] d2 = new float[dim];
        Projector proj = new Projector(dim, threat.norm());
        for (int it = 0; it < iterations; it++) {
            float[] df;
            float[] dg;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray cur = xs.getManager().create(x1, shape);
                int k = f.numClasses();
                Gradients.LossGrad lg = Gradients.of(cur, in -> {
                    NDArray logits = f.logits(in);
                    NDArray diff = tArr.oneHot(k).sub(yArr.oneHot(k)).toType(logits.getDataType(), false);
                    return logits.mul(diff).sum(new int[] {1}); // z_t − z_y
                });
                df = lg.loss().toFloatArray();
                dg = lg.grad().toFloatArray();
            }
            for (int i = 0; i < n; i++) {
                int off = i * dim;
                double wx = 0;
                for (int j = 0; j < dim; j++) {
                    wx += dg[off + j] * x1[off + j];
                }
                double c = wx - df[i]; // half-space {z : w·z ≥ c} where the linearised z_t − z_y ≥ 0
                double a1 = Math.max(proj.project(x1, off, dg, c, d1), 1e-8);
                double a2 = Math.max(proj.project(x0, off, dg, c, d2), 1e-8);
                double alpha = Math.min(Math.max(a1 / (a1 + a2), 0), alphaMax);
                for (int j = 0; j < dim; j++) {
                    double v = (x1[off + j] + eta * d1[j]) * (1 - alpha) + (x0[off + j] + eta * d2[j]) * alpha;
                    x1[off + j] = (float) Math.min(1, Math.max(0, v));
                }
            }
            long[] pred;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                pred = f.predict(xs.getManager().create(x1, shape)).toLongArray();
            }
            for (int i = 0; i < n; i++) {
                if (pred[i] == ys[i]) {
                    continue;
                }
                int off = i * dim;
                double t = proj.norm(x1, x0, off);
                if (t < res[i]) {
                    res[i] = t;
                    System.arraycopy(x1, off, best, off, dim);
                }
                for (int j = 0; j < dim; j++) {
                    x1[off + j] = (float) (x0[off + j] + (x1[off + j] - x0[off + j]) * beta);
                }
            }
        }
        yArr.close();
        tArr.close();
        return new Found(best, res);
    }

    /**
     * Minimal-norm step d from a point p (one image of a flat batch) into the half-space w·(p+d) ≥ c while
     * p + d stays in [0,1]. Coordinate j moves toward sign(w_j) by min(θ·a_j, u_j), where u_j is its room to
     * the box edge and a_j = 1 (L∞) or |w_j| (L2, the KKT solution); θ is the smallest value whose gain
     * Σ|w_j|·min(θa_j, u_j) reaches c − w·p, found by sorting the saturation points u_j/a_j. When even
     * saturating every coordinate falls short, every coordinate saturates.
     */
    static final class Projector {
        private final Norm norm;
        private final long[] keys;
        private final float[] room;

        Projector(int dim, Norm norm) {
            this.norm = norm;
            this.keys = new long[dim];
            this.room = new float[dim];
        }

        /** Writes the step into {@code d} and returns its norm. */
        double project(float[] p, int off, float[] w, double c, float[] d) {
            int dim = d.length;
            double wp = 0;
            for (int j = 0; j < dim; j++) {
                wp += w[off + j] * p[off + j];
            }
            double r = c - wp;
            Arrays.fill(d, 0f);
            if (!(r > 0)) {
                return 0;
            }
            int m = 0;
            for (int j = 0; j < dim; j++) {
                float wj = w[off + j];
                float pj = p[off + j];
                room[j] = wj > 0 ? 1 - pj : (wj < 0 ? pj : 0);
                if (wj != 0 && room[j] > 0) {
                    float a = norm == Norm.LINF ? 1f : Math.abs(wj);
                    float bp = room[j] / a; // ≥ 0, so its float bits sort like the value
                    keys[m++] = ((long) Float.floatToIntBits(bp) << 32) | j;
                }
            }
            Arrays.sort(keys, 0, m);
            double slope = 0;
            for (int q = 0; q < m; q++) {
                int j = (int) keys[q];
                slope += Math.abs(w[off + j]) * (norm == Norm.LINF ? 1 : Math.abs(w[off + j]));
            }
            double gained = 0;
            double theta = Double.POSITIVE_INFINITY;
            for (int q = 0; q < m; q++) {
                int j = (int) keys[q];
                double bp = Float.intBitsToFloat((int) (keys[q] >>> 32));
                if (gained + bp * slope >= r) {
                    theta = (r - gained) / slope;
                    break;
                }
                double aw = Math.abs(w[off + j]);
                gained += aw * room[j];
                slope -= aw * (norm == Norm.LINF ? 1 : aw);
            }
            double result = 0;
            for (int j = 0; j < dim; j++) {
                float wj = w[off + j];
                if (wj == 0 || room[j] <= 0) {
                    continue;
                }
                double a = norm == Norm.LINF ? 1 : Math.abs(wj);
                double step = Math.min(theta * a, room[j]);
                d[j] = (float) (Math.signum(wj) * step);
                result = norm == Norm.LINF ? Math.max(result, step) : result + step * step;
            }
            return norm == Norm.LINF ? result : Math.sqrt(result);
        }

        /** @return ‖a − b‖ for one image at {@code off} */
        double norm(float[] a, float[] b, int off) {
            double s = 0;
            for (int j = 0; j < room.length; j++) {
                double v = Math.abs(a[off + j] - b[off + j]);
                s = norm == Norm.LINF ? Math.max(s, v) : s + v * v;
            }
            return norm == Norm.LINF ? s : Math.sqrt(s);
        }
    }

    @Override
    public String toString() {
        return String.format("FAB-T(%s, iterations=%d, targets=%d, alpha_max=%.2f, eta=%.2f, beta=%.2f)",
                threat.describe(), iterations, targets, alphaMax, eta, beta);
    }

    /** Builder with AutoAttack "standard"'s defaults: 100 iterations, 9 targets, α_max 0.1, η 1.05, β 0.9. */
    public static final class Builder extends AttackBuilder<Builder, FabT> {

        private int iterations = 100;
        private int targets = 9;
        private double alphaMax = 0.1;
        private double eta = 1.05;
        private double beta = 0.9;

        private Builder() {
            super("FAB-T");
        }

        /** Iterations per target (default 100). */
        public Builder optIterations(int n) {
            this.iterations = Checks.atLeast(1, n, "FAB needs at least 1 iteration");
            return this;
        }

        /** Number of target classes (default 9). */
        public Builder optTargetClasses(int n) {
            this.targets = Checks.atLeast(1, n, "need at least 1 target class");
            return this;
        }

        /** Largest weight of the step from the clean image (default 0.1). */
        public Builder optAlphaMax(double a) {
            this.alphaMax = a;
            return this;
        }

        /** Overshoot of the projection step (default 1.05). */
        public Builder optEta(double e) {
            this.eta = e;
            return this;
        }

        /** Pull-back toward the clean image after a success (default 0.9). */
        public Builder optBeta(double b) {
            this.beta = b;
            return this;
        }

        @Override
        FabT create() {
            return new FabT(this);
        }
    }
}
