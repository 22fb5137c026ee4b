package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * The robust loss of Algorithm 1, CE(f(PGD_K(x_s)), ŷ) averaged over m inner random starts, and its
 * first-order gradient (Section 3.4 of the paper): the inner attack's gradients are constants, but the
 * chain random start → step → projection is differentiated with respect to x_s.
 *
 * <p>How: the inner PGD runs first with plain input gradients and records its random offset and its K
 * step directions; then one differentiable replay of the same chain, from the optimised parameter through
 * x_s to the inner end point and the model, gives both the loss and its gradient. For L∞ this equals
 * ∇CE at the end point where no clamp binds and carries the ε-projection's identity to x_s where it does;
 * for L2 the rescaling's Jacobian is included. Cost per sample: K + 1 forward+backward passes.
 *
 * <p>Against {@link ServerViews} (one upload, several server pipelines, e.g. lossless and after a JPEG
 * re-encode) the robust loss is the mean over the views of each view's robust loss, each view with its own
 * inner attack from the same x_s (an expectation over transformations): the attacker knows the pipeline that
 * follows, and a single inner end point shared by the views would be weaker than each view's own. Optimising one
 * view only protects what that view makes of x_s; see {@link ServerViews}. Cost: K + 1 passes per sample and view.
 */
public final class RobustLoss {

    private final ThreatModel inner;
    private final int steps;
    private final double alpha;
    private final RandomStart start;
    private final int samples;

    RobustLoss(ThreatModel inner, int steps, double alpha, RandomStart start, int samples) {
        this.inner = inner;
        this.steps = steps;
        this.alpha = alpha;
        this.start = start;
        this.samples = samples;
    }

    /** @param c robustification settings whose inner attack (ε, K, α, start, m) defines the loss */
    public RobustLoss(RobustifyConfig c) {
        this(c.adversary(), c.innerSteps(), c.innerStepSize(), c.innerStart(), c.samples());
    }

    /**
     * The robust loss of finished images, without gradient: K + 1 passes per sample (and per view of
     * {@link ServerViews}, whose robust loss is the mean of the views').
     *
     * @param f classifier
     * @param xs images
     * @param labels labels to protect
     * @param seed seeds the inner random starts
     * @return per-image loss, averaged over the samples
     */
    public float[] value(Classifier f, NDArray xs, NDArray labels, long seed) {
        return ai.preempt.engine.PreemptEngine.call(() -> Scopes.keepAll(() -> {
            Rng rng = Rng.forImages(seed, xs);
            List<AttackSite> views = views(f);
            List<NDArray> at = views.stream().map(v -> v.front().apply(xs)).toList();
            NDArray sum = null;
            for (int s = 0; s < samples; s++) {
                for (int k = 0; k < views.size(); k++) {
                    AttackSite v = views.get(k);
                    Chain chain = trace(v, at.get(k), labels, Offsets.of(rng, start));
                    NDArray l = Losses.crossEntropy(v.classifier().logits(replay(v, at.get(k), chain)), labels);
                    sum = sum == null ? l : sum.add(l);
                }
            }
            return sum.div(samples * views.size()).toFloatArray();
        }));
    }

    /** @return passes per image of {@link #value} on a single classifier: m·(K + 1) */
    public long passesPerImage() {
        return (long) samples * (steps + 1);
    }

    /**
     * The inner attack's constants for one sample: random offset and step directions, and the end point the
     * attack reached (which {@link #replay} from the same x_s reproduces).
     */
    record Chain(NDArray offset, List<NDArray> directions, List<int[]> rows, NDArray end) {

        void close() {
            offset.close();
            directions.forEach(NDArray::close);
            end.close();
        }
    }

    /** Draws the inner attack's random offsets for a batch of starting points in the inner attack's ball. */
    @FunctionalInterface
    interface Offsets {
        /** @return random offsets of {@code threat} (the ball the inner attack runs in), shaped like {@code x} */
        NDArray draw(ThreatModel threat, NDArray x);

        /** @return offsets drawn from {@code rng} as {@code start} says */
        static Offsets of(Rng rng, RandomStart start) {
            return (threat, x) -> threat.randomOffset(x, start, rng);
        }
    }

    /**
     * A robust loss evaluated with its gradient.
     *
     * @param loss per image
     * @param grad per image, with respect to the optimised parameter
     * @param passes per image, the forward+backward passes the evaluation spent on it
     */
    record Evaluation(NDArray loss, NDArray grad, long[] passes) {}

    /** @return where each view's inner attack runs (one for a plain classifier) */
    private List<AttackSite> views(Classifier f) {
        return AttackSite.each(f, inner, alpha);
    }

    /** Runs the inner PGD from x_s on a classifier without pipeline and records its constants. */
    Chain trace(Classifier f, NDArray xs, NDArray labels, Rng rng) {
        return trace(new AttackSite(Pipeline.identity(), f, inner, alpha), xs, labels, Offsets.of(rng, start));
    }

    /** As {@link #trace(Classifier, NDArray, NDArray, Rng)} with the random offsets drawn by {@code offsets}. */
    Chain trace(Classifier f, NDArray xs, NDArray labels, Offsets offsets) {
        return trace(new AttackSite(Pipeline.identity(), f, inner, alpha), xs, labels, offsets);
    }

    /** @return the inner end point of {@code chain} started from x_s, as {@link #trace(Classifier, NDArray, NDArray, Rng)} made it */
    NDArray replay(NDArray xs, Chain chain) {
        return replay(new AttackSite(Pipeline.identity(), null, inner, alpha), xs, chain);
    }

    /** Runs the inner PGD from x_s (already mapped by the view's front) and records its constants. */
    private Chain trace(AttackSite v, NDArray xs, NDArray labels, Offsets offsets) {
        return trace(v, xs, labels, offsets, null);
    }

    /**
     * As {@link #trace(AttackSite, NDArray, NDArray, Offsets)} with {@code rowSteps[i]} inner steps for image i
     * (null: this loss's K for all): step k runs on the images with more than k steps.
     */
    private Chain trace(AttackSite v, NDArray xs, NDArray labels, Offsets offsets, int[] rowSteps) {
        ThreatModel inner = v.threat();
        Classifier f = v.classifier();
        NDArray offset = Scopes.keep(() -> offsets.draw(inner, xs));
        int most = rowSteps == null ? steps : IntStream.of(rowSteps).max().orElse(0);
        List<NDArray> dirs = new ArrayList<>(most);
        List<int[]> rows = new ArrayList<>(most);
        NDArray x = Scopes.keep(() -> xs.add(offset).clip(0, 1));
        for (int k = 0; k < most; k++) {
            int[] on = stepping(rowSteps, k);
            NDArray cur = x;
            NDArray dir = Scopes.keep(() -> inner.stepDirection(Gradients.of(on == null ? cur : Rows.select(cur, on),
                    in -> Losses.crossEntropy(f.logits(in), on == null ? labels : Rows.select(labels, on))).grad()));
            dirs.add(dir);
            rows.add(on);
            x = Scopes.keep(() -> step(v, xs, cur, dir, on));
            cur.close();
        }
        return new Chain(offset, dirs, rows, x);
    }

    /** @return the images that take inner step k (positions), or null when all do */
    private static int[] stepping(int[] rowSteps, int k) {
        if (rowSteps == null || IntStream.of(rowSteps).allMatch(s -> s > k)) {
            return null;
        }
        return IntStream.range(0, rowSteps.length).filter(i -> rowSteps[i] > k).toArray();
    }

    private static NDArray step(AttackSite v, NDArray xs, NDArray x, NDArray dir) {
        return v.threat().project(xs, x.add(dir.mul(v.alpha())));
    }

    /** One inner step of the images {@code on} (all when null); the others stay where they are (differentiable). */
    private static NDArray step(AttackSite v, NDArray xs, NDArray x, NDArray dir, int[] on) {
        if (on == null) {
            return step(v, xs, x, dir);
        }
        return Rows.put(x, on, step(v, Rows.select(xs, on), Rows.select(x, on), dir));
    }

    /** @return the inner end point of {@code chain} started from x_s (differentiable in x_s) */
    private static NDArray replay(AttackSite v, NDArray xs, Chain chain) {
        NDArray x = xs.add(chain.offset()).clip(0, 1);
        for (int k = 0; k < chain.directions().size(); k++) {
            x = step(v, xs, x, chain.directions().get(k), chain.rows().get(k));
        }
        return x;
    }

    /**
     * The optimised parameter as the robust loss sees it: x_s, and the chain rule from x_s back to the parameter.
     * Robustification differentiates only from where each view's inner attack starts (the model's input after the
     * pipeline's linear prefix) and carries the gradient back by hand — the prefix's adjoint, then this — so that
     * no autograd graph, and no second evaluation of x_s, is ever built at the photo's size.
     *
     * @param image x_s (not on an autograd path; not to be closed or modified by the caller)
     * @param chainRule maps the gradient with respect to x_s to the gradient with respect to the parameter (it may
     *     overwrite its argument, a temporary of the evaluation, and return it)
     */
    record Point(NDArray image, UnaryOperator<NDArray> chainRule) {

        /** @return the gradient with respect to the parameter, given the gradient {@code g} with respect to x_s */
        NDArray pullback(NDArray g) {
            return chainRule.apply(g);
        }
    }

    /**
     * @param f classifier
     * @param at the optimised parameter and x_s
     * @param labels ŷ
     * @param rng inner random starts
     * @return per-image robust loss (mean over samples) and its first-order gradient with respect to the parameter
     */
    Evaluation evaluate(Classifier f, Point at, NDArray labels, Rng rng) {
        return evaluate(f, at, labels, Offsets.of(rng, start), null);
    }

    /**
     * As {@link #evaluate(Classifier, Point, NDArray, Rng)} with each sample's inner random offsets drawn by
     * {@code offsets} from x_s (e.g. per image, see {@link ImageRngs}).
     */
    Evaluation evaluate(Classifier f, Point at, NDArray labels, Offsets offsets) {
        return evaluate(f, at, labels, offsets, null);
    }

    /** @return this loss's inner steps K */
    int steps() {
        return steps;
    }

    /** @return whether {@code o} is this loss with another number of inner steps (same attack otherwise) */
    boolean sameButSteps(RobustLoss o) {
        return inner.equals(o.inner) && alpha == o.alpha && start == o.start && samples == o.samples;
    }

    /**
     * As {@link #evaluate(Classifier, Point, NDArray, Rng)} with {@code rowSteps[i]} inner steps for image i (null:
     * this loss's K for all): one evaluation of images that descend this attack with different K (fast mode's cheap
     * attack and its polish), each image getting what its own K gives it.
     */
    Evaluation evaluate(Classifier f, Point at, NDArray labels, Rng rng, int[] rowSteps) {
        return evaluate(f, at, labels, Offsets.of(rng, start), rowSteps);
    }

    /**
     * Per sample and view: the inner attack from the view's start P(x_s), the gradient of its differentiable replay
     * with respect to P(x_s) (autograd at the model's input size only), carried back to x_s by P's adjoint; the
     * views' mean, the samples' mean, and last the parametrisation's chain rule. The same gradient as differentiating
     * the whole chain from the parameter at once, since P is linear and the views' losses add.
     */
    private Evaluation evaluate(Classifier f, Point point, NDArray labels, Offsets offsets, int[] rowSteps) {
        List<AttackSite> views = views(f);
        NDArray xs = point.image();
        int[] photo = {(int) xs.getShape().get(2), (int) xs.getShape().get(3)};
        long[] passes = new long[(int) xs.getShape().get(0)];
        // x_s where each view's inner attack starts (the identity's is a new array too)
        List<NDArray> at = views.stream().map(v -> v.front().apply(xs)).toList();
        NDArray lossSum = null;
        NDArray gradSum = null;
        for (int s = 0; s < samples; s++) {
            // each view's own inner attack from x_s (views in order, so the random draws are deterministic)
            for (int k = 0; k < views.size(); k++) {
                NDArray[] term = term(views.get(k), at.get(k), labels, offsets, rowSteps, photo, passes);
                lossSum = lossSum == null ? term[0] : lossSum.add(term[0]);
                gradSum = gradSum == null ? term[1] : gradSum.add(term[1]);
            }
        }
        int terms = samples * views.size();
        // in the caller's scope, as every intermediate here
        return new Evaluation(terms == 1 ? lossSum : lossSum.div(terms),
                point.pullback(terms == 1 ? gradSum : gradSum.div(terms)), passes);
    }

    /**
     * One view's term of one sample: its inner attack from {@code start} (x_s mapped by the view's front), the loss at
     * the replayed end point and its gradient carried back to x_s.
     *
     * @param passes per image, incremented by what this term spends on it
     * @return {loss, gradient with respect to x_s}
     */
    private NDArray[] term(AttackSite v, NDArray start, NDArray labels, Offsets offsets, int[] rowSteps, int[] photo,
            long[] passes) {
        Chain chain = trace(v, start, labels, offsets, rowSteps);
        Gradients.LossGrad lg = Gradients.of(start,
                a -> Losses.crossEntropy(v.classifier().logits(replay(v, a, chain)), labels));
        chain.close();
        for (int i = 0; i < passes.length; i++) {
            passes[i] += (rowSteps == null ? steps : rowSteps[i]) + 1;
        }
        return new NDArray[] {lg.loss(), v.front().adjoint(lg.grad(), photo)};
    }
}
