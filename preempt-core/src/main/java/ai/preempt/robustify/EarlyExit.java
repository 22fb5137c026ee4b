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
import java.util.function.IntToLongFunction;
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
     * Images that took the same outer step, so their random streams share a draw count.
     *
     * @param rows their positions in the batch checked
     * @param rng their random streams (per image, row-aligned with {@code rows})
     */
    record Group(int[] rows, Rng rng) {}

    /**
     * The early-exit check on groups of images, each group at one outer step; images of every group are attacked
     * together, each with its own group's seeds. Only candidates are checked, i.e. images whose robust loss at this
     * step is already below the threshold (free to know) and whose back-off allows it; each candidate's 8-bit
     * version is attacked by PGD-K with restarts and its robust loss measured there ({@link #checkLoss}); those
     * that pass get their exit point.
     *
     * @param xs computes the batch's current x_s (only when some image is a candidate)
     * @param rows the batch's progress, row-aligned with x_s, x0 and y; passes, loss, back-off and exit point are
     *     updated in place
     * @param groups the images to check, by outer step; the others are not checked
     * @param t per image of the batch, the 0-based outer step it just took
     * @return per image of the batch: exits now
     */
    boolean[] check(Classifier f, Supplier<NDArray> xs, NDArray x0, NDArray y, ThreatModel ball,
            List<Progress> rows, List<Group> groups, int[] t) {
        boolean[] exit = new boolean[rows.size()];
        List<AttackSite> views = AttackSite.each(f, cfg.adversary(), cfg.innerStepSize());
        int[] groupOf = new int[rows.size()];
        Arrays.fill(groupOf, -1);
        long[][] attackSeed = new long[groups.size()][views.size()];
        long[][] lossSeed = new long[groups.size()][views.size()];
        for (int g = 0; g < groups.size(); g++) {
            for (int i : groups.get(g).rows()) {
                groupOf[i] = g;
            }
            // drawn whether or not any image is checked, so an image's stream does not depend on its batch-mates
            for (int k = 0; k < views.size(); k++) {
                attackSeed[g][k] = groups.get(g).rng().nextLong();
                lossSeed[g][k] = groups.get(g).rng().nextLong();
            }
        }
        int[] cand = IntStream.range(0, rows.size()).filter(i -> groupOf[i] >= 0
                && rows.get(i).loss < fm.lossThreshold() && rows.get(i).schedule.due(t[i])).toArray();
        if (cand.length == 0) {
            return exit;
        }
        int[] candGroup = IntStream.of(cand).map(i -> groupOf[i]).toArray();
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
                int view = k;
                AttackSite site = views.get(k);
                NDArray ya = Rows.select(yc, alive);
                NDArray xa = site.front().apply(Rows.select(q, alive));
                int[] groupAlive = IntStream.of(alive).map(c -> candGroup[c]).toArray();
                CountingClassifier counted = new CountingClassifier(site.classifier());
                AttackResult a = Pgd.builder().setThreat(site.threat()).optSteps(cfg.innerSteps())
                        .optStepSize(site.alpha()).optRandomStart(cfg.innerStart()).optRestarts(fm.restarts()).build()
                        .perturb(counted, xa, ya, streams(xa, groupAlive, g -> attackSeed[g][view]));
                // each restart runs K steps and a prediction on every row it is given, and stops once all are
                // fooled: the passes it really made, per candidate
                long attackPasses = counted.images() / alive.length;
                float[] checkLoss = checkLoss(site.classifier(), a, ya, groupAlive, g -> lossSeed[g][view]);
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
                    p.schedule.failed(t[cand[c]]);
                }
            }
            return exit;
        });
    }

    /**
     * @param x the attacked images, row by row
     * @param group per row, its group
     * @param seed a group's seed
     * @return per-image streams for the rows of x, each from its group's seed (runs of one group keyed together)
     */
    private static Rng streams(NDArray x, int[] group, IntToLongFunction seed) {
        Rng all = null;
        for (int from = 0; from < group.length;) {
            int to = from;
            while (to < group.length && group[to] == group[from]) {
                to++;
            }
            Rng run = Rng.forImages(seed.applyAsLong(group[from]), x.get(from + ":" + to));
            if (all == null) {
                all = run;
            } else {
                all.append(run);
            }
            from = to;
        }
        return all;
    }

    /**
     * The robust loss of the candidates the check's attack did not fool (0 for the fooled ones). With one inner
     * sample (m = 1) it is the cross-entropy at the attack's own end point: that point is a PGD-K run from a
     * random start, exactly what a fresh robust loss would draw, so one forward pass replaces K + 1. With m &gt; 1
     * the fresh loss averages m new runs.
     */
    private float[] checkLoss(Classifier f, AttackResult a, NDArray yc, int[] group, IntToLongFunction seed) {
        int[] survivors = IntStream.range(0, a.success().length).filter(j -> !a.success()[j]).toArray();
        float[] checkLoss = new float[a.success().length];
        if (survivors.length == 0) {
            return checkLoss;
        }
        if (cfg.samples() == 1) {
            float[] l = Losses.crossEntropy(f.logits(Rows.select(a.adversarial(), survivors)),
                    Rows.select(yc, survivors)).toFloatArray();
            for (int s = 0; s < survivors.length; s++) {
                checkLoss[survivors[s]] = l[s];
            }
            return checkLoss;
        }
        // m > 1: fresh inner runs, drawn per group from its own seed
        for (int g : IntStream.of(survivors).map(j -> group[j]).distinct().toArray()) {
            int[] mine = IntStream.of(survivors).filter(j -> group[j] == g).toArray();
            float[] l = fullLoss.value(f, Rows.select(a.adversarial(), mine), Rows.select(yc, mine), seed.applyAsLong(g));
            for (int s = 0; s < mine.length; s++) {
                checkLoss[mine[s]] = l[s];
            }
        }
        return checkLoss;
    }
}
