package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.function.Function;

/**
 * The Auto-PGD iteration of Croce &amp; Hein (ICML 2020), shared by {@link ApgdCe} and {@link ApgdT}.
 *
 * <p>From a random point on the ball's boundary, {@code iterations} momentum steps (α = 0.75, none on the
 * first) of per-image step size η, initially 2ε. Checkpoints follow p₀ = 0, p₁ = 0.22,
 * p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06) in the reference's integer form ({@link #checkpoints}): at a
 * checkpoint an image's step size is halved and it
 * restarts from its best point when (1) the loss increased in at most ρ = 75% of the steps since the last
 * checkpoint, or (2) its step size was not halved at the last checkpoint and its best loss has not
 * improved since. Tracks per image the highest-loss point and the last misclassified point.
 */
final class Apgd {

    /** Momentum α of the update. */
    static final double MOMENTUM = 0.75;
    /** The oscillation threshold ρ. */
    static final double RHO = 0.75;

    private Apgd() {}

    /**
     * The outcome of one run.
     *
     * @param adversarial per image, the last misclassified point if any, else the highest-loss point
     * @param fooled per image, some iterate was misclassified
     * @param bestLoss per image, the highest loss seen
     */
    record Run(NDArray adversarial, boolean[] fooled, float[] bestLoss) {}

    /**
     * The checkpoints as the reference implementation (autopgd_base.py) places them for any N: the first after
     * k = max(⌊0.22·N⌋, 1) iterations, then each k iterations after the last with k shrinking by
     * max(⌊0.03·N⌋, 1) down to max(⌊0.06·N⌋, 1). For N = 100 this is the paper's p_{j+1} = p_j + max(p_j −
     * p_{j−1} − 0.03, 0.06); for other N the reference's integer rule, not ⌈p_j·N⌉, decides.
     *
     * @return the iterations (1-based counts) after which a checkpoint is evaluated
     */
    static int[] checkpoints(int iterations) {
        int k = Math.max((int) (0.22 * iterations), 1);
        int shrink = Math.max((int) (0.03 * iterations), 1);
        int min = Math.max((int) (0.06 * iterations), 1);
        java.util.List<Integer> w = new java.util.ArrayList<>();
        for (int at = k; at <= iterations; at += k) {
            w.add(at);
            k = Math.max(k - shrink, min);
        }
        return w.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Per-image loss to maximise, of the logits given the attacked images' labels and targets (or null). */
    @FunctionalInterface
    interface Loss {
        NDArray of(NDArray logits, NDArray labels, NDArray targets);
    }

    /**
     * Runs {@code restarts} APGD runs, each from a fresh split of {@code rng} on the images {@code out} still
     * has to fool, and records them in {@code out}.
     *
     * @param target per image of the batch, the target class handed to {@code loss}, or null
     */
    static void restarts(Outcome out, Classifier f, ThreatModel threat, NDArray x, NDArray y, long[] target,
            Loss loss, int iterations, int restarts, Rng rng) {
        for (int r = 0; r < restarts && !out.done(); r++) {
            Rng rr = rng.split();
            out.attackRemaining((todo, idx) -> {
                NDArray ys = PerImage.rows(y, todo);
                NDArray ts = target == null ? null : PerImage.rows(x.getManager().create(target), todo);
                Run run = run(f, threat, PerImage.rows(x, todo), ys, logits -> loss.of(logits, ys, ts),
                        iterations, rr);
                return new Outcome.Part(run.adversarial(), run.fooled());
            });
        }
    }

    /**
     * Runs APGD on a batch.
     *
     * @param f the classifier
     * @param threat the ball
     * @param x clean images
     * @param y true labels (success means the prediction differs from them)
     * @param loss per-image loss of the logits, to maximise
     * @param iterations number of iterations
     * @param rng random start
     */
    static Run run(Classifier f, ThreatModel threat, NDArray x, NDArray y, Function<NDArray, NDArray> loss,
            int iterations, Rng rng) {
        int n = (int) x.getShape().get(0);
        long[] labels = PerImage.longs(y);
        double eps = threat.eps();
        Slot xAdv = new Slot();
        Slot xOld = new Slot();
        Slot grad = new Slot();
        Slot xBest = new Slot();
        Slot gradBest = new Slot();
        Slot xBestAdv = new Slot();
        float[] lossBest;
        boolean[] fooled;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            xAdv.set(randomStart(threat, x, rng));
            Step s = evaluate(f, xAdv.get(), loss);
            grad.set(s.grad);
            lossBest = s.loss.clone();
            fooled = PerImage.differs(s.pred, labels);
            xBest.set(xAdv.get().duplicate());
            gradBest.set(grad.get().duplicate());
            xBestAdv.set(x.duplicate());
            xBestAdv.set(PerImage.select(fooled, xAdv.get(), xBestAdv.get()));
            xOld.set(xAdv.get().duplicate());
        }
        double[] step = new double[n];
        java.util.Arrays.fill(step, 2 * eps);
        float[][] lossSteps = new float[iterations + 1][];
        lossSteps[0] = lossBest.clone(); // the start point's loss precedes step 0
        float[] lossBestLastCheck = lossBest.clone();
        boolean[] reducedLastCheck = new boolean[n];
        java.util.Arrays.fill(reducedLastCheck, true);
        int[] checks = checkpoints(iterations);
        Ball ball = new Ball(threat, x);
        int nextCheck = 0;
        int lastCheck = 0;
        for (int i = 0; i < iterations; i++) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                double a = i == 0 ? 1.0 : MOMENTUM;
                NDArray cur = xAdv.get();
                NDArray eta = PerImage.column(step, cur);
                NDArray dir = threat.ascentStep(cur.zerosLike(), grad.get(), 1.0);
                NDArray z = ball.project(cur.add(dir.mul(eta)));
                // x + a·(z − x) + (1 − a)·(x − x_old) = a·z + (1 − a)·(2x − x_old)
                NDArray next = a == 1.0 ? z : ball.project(z.mul(a).add(cur.mul(2).sub(xOld.get()).mul(1 - a)));
                xOld.set(cur);
                xAdv.takeOver(next);
                Step s = evaluate(f, next, loss);
                grad.set(s.grad);
                boolean[] wrong = PerImage.differs(s.pred, labels);
                if (PerImage.count(wrong) > 0) {
                    xBestAdv.set(PerImage.select(wrong, next, xBestAdv.get()));
                }
                boolean[] improved = new boolean[n];
                for (int j = 0; j < n; j++) {
                    fooled[j] |= wrong[j];
                    improved[j] = s.loss[j] > lossBest[j];
                    if (improved[j]) {
                        lossBest[j] = s.loss[j];
                    }
                }
                if (PerImage.count(improved) > 0) {
                    xBest.set(PerImage.select(improved, next, xBest.get()));
                    gradBest.set(PerImage.select(improved, grad.get(), gradBest.get()));
                }
                lossSteps[i + 1] = s.loss;
                if (nextCheck < checks.length && i + 1 == checks[nextCheck]) {
                    int k = i + 1 - lastCheck;
                    boolean[] halve = new boolean[n];
                    for (int j = 0; j < n; j++) {
                        int increases = 0;
                        for (int t = lastCheck; t < i + 1; t++) {
                            increases += lossSteps[t + 1][j] > lossSteps[t][j] ? 1 : 0;
                        }
                        boolean oscillates = increases <= k * RHO;
                        boolean stalled = !reducedLastCheck[j] && lossBestLastCheck[j] >= lossBest[j];
                        halve[j] = oscillates || stalled;
                        if (halve[j]) {
                            step[j] /= 2;
                        }
                    }
                    reducedLastCheck = halve;
                    lossBestLastCheck = lossBest.clone();
                    if (PerImage.count(halve) > 0) {
                        xAdv.set(PerImage.select(halve, xBest.get(), xAdv.get()));
                        grad.set(PerImage.select(halve, gradBest.get(), grad.get()));
                    }
                    lastCheck = i + 1;
                    nextCheck++;
                }
            }
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = PerImage.select(fooled, xBestAdv.get(), xBest.get());
            NDScope.unregister(out);
        }
        for (Slot sl : new Slot[] {xAdv, xOld, grad, xBest, gradBest, xBestAdv}) {
            sl.close();
        }
        ball.close();
        NDScope.register(out);
        return new Run(out, fooled, lossBest);
    }

    /** APGD's random start: L∞ x + ε·t/‖t‖∞ with t uniform in [−1,1]^d; L2 x + ε·t/‖t‖₂ with t Gaussian. */
    static NDArray randomStart(ThreatModel threat, NDArray x, Rng rng) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        NDArray t;
        NDArray norm;
        if (threat.norm() == Norm.LINF) {
            t = rng.uniform(x.getManager(), shape, -1, 1);
            norm = t.abs().reshape(n, -1).max(new int[] {1});
        } else {
            t = rng.normal(x.getManager(), shape);
            norm = t.reshape(n, -1).norm(new int[] {1});
        }
        NDArray d = t.div(PerImage.column(norm.add(1e-12f), x)).mul(threat.eps());
        return threat.project(x, x.add(d));
    }

    private record Step(float[] loss, long[] pred, NDArray grad) {}

    /** Loss, prediction and input gradient at {@code at} in one forward and backward pass. */
    private static Step evaluate(Classifier f, NDArray at, Function<NDArray, NDArray> loss) {
        NDArray[] argMax = new NDArray[1];
        Gradients.LossGrad lg = Gradients.of(at, in -> {
            NDArray logits = f.logits(in);
            argMax[0] = logits.argMax(1);
            NDScope.unregister(argMax[0]); // outlives the gradient's scope; read after the backward pass
            return loss.apply(logits);
        });
        long[] pred = argMax[0].toLongArray();
        argMax[0].close();
        return new Step(lg.loss().toFloatArray(), pred, lg.grad());
    }

    /**
     * Projection onto B_ε(x) ∩ [0,1] for one run. For L∞ the box bounds max(x−ε, 0) and min(x+ε, 1) are
     * computed once, so a projection is two element-wise operations instead of four; L2 uses the threat
     * model's projection.
     */
    private static final class Ball implements AutoCloseable {
        private final ThreatModel threat;
        private final NDArray x;
        private final NDArray lo;
        private final NDArray hi;

        Ball(ThreatModel threat, NDArray x) {
            this.threat = threat;
            this.x = x;
            if (threat.norm() == Norm.LINF) {
                lo = ai.preempt.engine.Scopes.keep(() -> x.sub(threat.eps()).maximum(0f));
                hi = ai.preempt.engine.Scopes.keep(() -> x.add(threat.eps()).minimum(1f));
                NDScope.unregister(lo, hi);
            } else {
                lo = null;
                hi = null;
            }
        }

        NDArray project(NDArray v) {
            return lo == null ? threat.project(x, v) : v.maximum(lo).minimum(hi);
        }

        @Override
        public void close() {
            if (lo != null) {
                lo.close();
                hi.close();
            }
        }
    }

    /** One array that outlives the per-iteration scopes; setting a new value frees the old one. */
    static final class Slot implements AutoCloseable {
        private NDArray value;

        /** Keeps {@code v} (removing it from the current scope) and frees the previous value. */
        void set(NDArray v) {
            NDScope.unregister(v);
            if (value != null && value != v) {
                value.close();
            }
            value = v;
        }

        /** Keeps {@code v} without freeing the previous value (which someone else now owns). */
        void takeOver(NDArray v) {
            NDScope.unregister(v);
            value = v;
        }

        NDArray get() {
            return value;
        }

        @Override
        public void close() {
            if (value != null) {
                value.close();
                value = null;
            }
        }
    }
}
