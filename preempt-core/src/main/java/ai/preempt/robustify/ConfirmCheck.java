package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.ThreatModel;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The fastest mode's exit confirmation, per image: PGD-K (the configuration's K, α and random start) with
 * restarts on the 8-bit image; an image passes only if no restart fools it and the cross-entropy at every
 * restart's end point is below the threshold. A restart runs only on the images still able to pass, and the
 * end point's one forward pass gives both the verdict and the loss. Random starts come from each image's own
 * stream ({@link ImageRngs}). The attack runs where robustification's inner attack runs ({@link AttackSite}: after
 * a pipeline's resize and crop, in the ball they map the photo's ball into), at least as strong as an attacker on
 * the photo. Against {@link ServerViews} (several server pipelines) the restarts run through
 * every view in turn and an image passes only if no restart through any view fools it: the screen that made
 * it a candidate is the views' mean robust loss, which one easy view can pull below the threshold while
 * another is still fooled.
 */
final class ConfirmCheck {

    /**
     * @param exit per image: passed (no restart fooled it and its largest end-point loss is below the threshold)
     * @param loss per image: the largest end-point cross-entropy over the restarts (and views) it ran
     * @param passes per image: passes spent, K + 1 per restart it ran
     */
    record Verdict(boolean[] exit, float[] loss, long[] passes) {}

    private final ThreatModel adversary;
    private final RobustifyConfig cfg;
    private final int restarts;
    private final double threshold;

    ConfirmCheck(RobustifyConfig cfg, int restarts, double threshold) {
        this.cfg = cfg;
        this.adversary = cfg.adversary();
        this.restarts = restarts;
        this.threshold = threshold;
    }

    /**
     * @param q the candidates' 8-bit images
     * @param y their labels
     * @param rngs their random streams (one per row of q)
     */
    Verdict confirm(Classifier f, NDArray q, NDArray y, ImageRngs rngs) {
        int n = (int) q.getShape().get(0);
        boolean[] ruledOut = new boolean[n];
        float[] loss = new float[n];
        long[] passes = new long[n];
        int[] alive = IntStream.range(0, n).toArray();
        List<AttackSite> views = AttackSite.each(f, adversary, cfg.innerStepSize());
        for (int r = 0; r < restarts * views.size() && alive.length > 0; r++) {
            int[] a = alive;
            AttackSite site = views.get(r / restarts); // every view's restarts in turn
            Pgd pgd = Pgd.builder().setThreat(site.threat()).optSteps(cfg.innerSteps()).optStepSize(site.alpha())
                    .optRandomStart(cfg.innerStart()).build();
            Scopes.keepAll(() -> {
                NDArray xa = site.front().apply(Rows.select(q, a));
                NDArray ya = Rows.select(y, a);
                NDArray start = xa.add(rngs.select(a).offsets(site.threat(), xa, cfg.innerStart())).clip(0, 1);
                NDArray logits = site.classifier().logits(pgd.runFrom(site.classifier(), xa, ya, start));
                long[] pred = logits.argMax(1).toLongArray();
                long[] lab = ya.toLongArray();
                float[] ce = Losses.crossEntropy(logits, ya).toFloatArray();
                for (int j = 0; j < a.length; j++) {
                    passes[a[j]] += cfg.innerSteps() + 1L;
                    loss[a[j]] = Math.max(loss[a[j]], ce[j]);
                    ruledOut[a[j]] |= pred[j] != lab[j] || ce[j] >= threshold;
                }
                return null;
            });
            alive = IntStream.of(alive).filter(i -> !ruledOut[i]).toArray();
        }
        boolean[] exit = new boolean[n];
        for (int i = 0; i < n; i++) {
            exit[i] = !ruledOut[i];
        }
        return new Verdict(exit, loss, passes);
    }
}
