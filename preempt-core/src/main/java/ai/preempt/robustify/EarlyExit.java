package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.CountingClassifier;
import ai.preempt.model.Losses;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.ThreatModel;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Fast mode's per-image exit check ({@link FastMode}): which images of the active batch are robust with a
 * margin and may leave the outer loop. An image exits only if PGD-K with restarts fails on its 8-bit version
 * and its full robust loss (K inner steps) there is below the threshold; the exit point is that 8-bit image.
 * The check attacks where robustification's inner attack runs ({@link AttackSite}: after a pipeline's resize
 * and crop, in the ball they map the photo's ball into), at least as strong as an attacker on the photo.
 * Against {@link ServerViews} (several server pipelines) the check runs through every view and an image exits
 * only if it passes through all of them: the robust loss it was screened by is the views' mean, which one
 * easy view (e.g. the lossless server) can pull below the threshold while another (the JPEG re-encode) is
 * still fooled.
 */
final class EarlyExit {

    private final RobustifyConfig cfg;
    private final FastMode fm;
    /** The full robust loss (K inner steps): what the check measures. */
    private final RobustLoss fullLoss;
    /** Passes the check's robust loss costs per surviving candidate. */
    private final long lossPasses;

    /**
     * @param cfg a configuration with fast mode on
     * @param fullLoss the configuration's robust loss (K inner steps), shared with the outer loop's polish
     */
    EarlyExit(RobustifyConfig cfg, RobustLoss fullLoss) {
        this.cfg = cfg;
        this.fm = cfg.fast();
        this.fullLoss = fullLoss;
        this.lossPasses = cfg.samples() == 1 ? 1 : fullLoss.passesPerImage();
    }

    /**
     * The early-exit check on images that all took their outer step {@code t} (and so share their random
     * stream's draw count). Only candidates are checked, i.e. images whose robust loss at this step is already
     * below the threshold (free to know) and whose back-off allows it; each candidate's 8-bit version is attacked
     * by PGD-K with restarts and its robust loss measured there ({@link #checkLoss}); those that pass get their
     * exit point.
     *
     * @param xs computes the images' current x_s (only when some image is a candidate)
     * @param rows the images' progress, row-aligned with x_s, x0, y and rng; passes, loss, back-off and exit
     *     point are updated in place
     * @return per image: exits now
     */
    boolean[] check(Classifier f, Supplier<NDArray> xs, NDArray x0, NDArray y, ThreatModel ball, Rng rng,
            List<Progress> rows, int t) {
        boolean[] exit = new boolean[rows.size()];
        List<AttackSite> views = AttackSite.each(f, cfg.adversary(), cfg.innerStepSize());
        // drawn whether or not any image is checked, so an image's stream does not depend on its batch-mates
        long[] attackSeed = new long[views.size()];
        long[] lossSeed = new long[views.size()];
        for (int k = 0; k < views.size(); k++) {
            attackSeed[k] = rng.nextLong();
            lossSeed[k] = rng.nextLong();
        }
        int[] cand = IntStream.range(0, rows.size())
                .filter(i -> rows.get(i).loss < fm.lossThreshold() && rows.get(i).schedule.due(t)).toArray();
        if (cand.length == 0) {
            return exit;
        }
        return Scopes.keepAll(() -> {
            NDArray xc = Rows.select(xs.get(), cand);
            NDArray q = Quantizer.quantize(Rows.select(x0, cand), xc, ball);
            NDArray yc = Rows.select(y, cand);
            boolean[] pass = new boolean[cand.length];
            Arrays.fill(pass, true);
            float[] worst = new float[cand.length];
            // through every view (server pipeline) in turn, each on the candidates no earlier view ruled out
            int[] alive = IntStream.range(0, cand.length).toArray();
            for (int k = 0; k < views.size() && alive.length > 0; k++) {
                AttackSite site = views.get(k);
                NDArray ya = Rows.select(yc, alive);
                CountingClassifier counted = new CountingClassifier(site.classifier());
                AttackResult a = Pgd.builder().setThreat(site.threat()).optSteps(cfg.innerSteps())
                        .optStepSize(site.alpha()).optRandomStart(cfg.innerStart()).optRestarts(fm.restarts())
                        .optSeed(attackSeed[k]).build()
                        .perturb(counted, site.front().apply(Rows.select(q, alive)), ya);
                // each restart runs K steps and a prediction on every row it is given, and stops once all are
                // fooled: the passes it really made, per candidate
                long attackPasses = counted.images() / alive.length;
                float[] checkLoss = checkLoss(site.classifier(), a, ya, lossSeed[k]);
                for (int j = 0; j < alive.length; j++) {
                    int c = alive[j];
                    rows.get(cand[c]).passes += attackPasses + (a.success()[j] ? 0 : lossPasses);
                    pass[c] &= !a.success()[j] && checkLoss[j] < fm.lossThreshold();
                    worst[c] = Math.max(worst[c], checkLoss[j]);
                }
                alive = IntStream.of(alive).filter(c -> pass[c]).toArray();
            }
            for (int c = 0; c < cand.length; c++) {
                Progress p = rows.get(cand[c]);
                exit[cand[c]] = pass[c];
                if (pass[c]) {
                    p.loss = worst[c];
                    p.exit = q.get(c).expandDims(0);
                    NDScope.unregister(p.exit);
                } else {
                    p.schedule.failed(t);
                }
            }
            return exit;
        });
    }

    /**
     * The robust loss of the candidates the check's attack did not fool (0 for the fooled ones). With one inner
     * sample (m = 1) it is the cross-entropy at the attack's own end point: that point is a PGD-K run from a
     * random start, exactly what a fresh robust loss would draw, so one forward pass replaces K + 1. With m &gt; 1
     * the fresh loss averages m new runs.
     */
    private float[] checkLoss(Classifier f, AttackResult a, NDArray yc, long seed) {
        int[] survivors = IntStream.range(0, a.success().length).filter(j -> !a.success()[j]).toArray();
        float[] checkLoss = new float[a.success().length];
        if (survivors.length > 0) {
            NDArray adv = Rows.select(a.adversarial(), survivors);
            NDArray ys = Rows.select(yc, survivors);
            float[] l = cfg.samples() == 1 ? Losses.crossEntropy(f.logits(adv), ys).toFloatArray()
                    : fullLoss.value(f, adv, ys, seed);
            for (int s = 0; s < survivors.length; s++) {
                checkLoss[survivors[s]] = l[s];
            }
        }
        return checkLoss;
    }
}
