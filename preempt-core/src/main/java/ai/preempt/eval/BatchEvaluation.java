package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.data.LabeledImages;
import ai.preempt.model.BatchSeeded;
import ai.preempt.model.Classifier;
import ai.preempt.report.EvalReport;
import ai.preempt.robustify.AdaptiveAttack;
import ai.preempt.robustify.Lemma1;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Reconstructor;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One batch under one preemption, as the paper's protocol judges it: robustify (Ours), measure Lemma 1 on the
 * images as written, attack x_s (grey-box) and, for Ours, reconstruct and attack adaptively (white-box,
 * Algorithms 3–4). Classifiers with randomness of their own are seeded from the batch ({@link BatchSeeded}),
 * so a batch's result does not depend on the batches before it. Runs on the engine thread.
 */
final class BatchEvaluation {

    private final RobustifyConfig cfg;
    private final boolean quantize;
    private final Map<String, Function<ThreatModel, Attack>> attacks;
    private final boolean whiteBox;
    private final Robustifier robustifier;
    private final Reconstructor reconstructor;
    private final Lemma1 lemma1;

    BatchEvaluation(RobustifyConfig cfg, boolean quantize, Map<String, Function<ThreatModel, Attack>> attacks,
            boolean whiteBox) {
        this.cfg = cfg;
        this.quantize = quantize;
        this.attacks = attacks;
        this.whiteBox = whiteBox;
        this.robustifier = Robustifier.of(cfg);
        this.reconstructor = new Reconstructor(cfg);
        this.lemma1 = new Lemma1(cfg);
    }

    /** Robustifies (for Ours), attacks and judges images [r.from, r.to) of {@code data} under {@code p}. */
    EvalState.BatchResult evaluate(Classifier model, Classifier robustifyModel, LabeledImages data,
            LabeledImages.Range r, Preemption p) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x0 = data.images(m, r.from(), r.to());
            NDArray y = data.labels(m, r.from(), r.to());
            Classifier f = BatchSeeded.seededFor(model, x0);
            Classifier robustifyWith = robustifyModel == model ? f : BatchSeeded.seededFor(robustifyModel, x0);
            int n = r.size();
            NDArray xs = x0;
            float[] loss = new float[n];
            Arrays.fill(loss, Float.NaN);
            long[] protectedLabels = new long[n];
            Arrays.fill(protectedLabels, -1);
            long[] passes = new long[n];
            double seconds = 0;
            if (p == Preemption.OURS) {
                long t0 = System.nanoTime();
                // the labels are the evaluated classifier's prediction (for smoothed models: the 50-sample vote,
                // not a vote of the 5 samples robustification optimises with)
                RobustifyResult rr = robustifier.robustify(robustifyWith, x0, f == robustifyWith ? null
                        : f.predict(x0));
                seconds = (System.nanoTime() - t0) / 1e9;
                xs = quantize ? Quantizer.quantize(x0, rr.images(), cfg.adversary().withEps(cfg.delta()))
                        : rr.images();
                protectedLabels = rr.labels();
                loss = lemma1.robustLoss(robustifyWith, xs, m.create(protectedLabels));
                passes = rr.passes();
            }
            long[] pred = f.predict(xs).toLongArray();
            long[] labels = y.toLongArray();
            Map<String, boolean[]> grey = new LinkedHashMap<>();
            Map<String, boolean[]> white = new LinkedHashMap<>();
            Map<String, int[]> perBudget = new LinkedHashMap<>();
            float[] recErr = new float[n];
            Arrays.fill(recErr, Float.NaN);
            // Algorithm 3 once per batch; every attack of Algorithm 4 starts from the same x_rec
            boolean adaptive = p == Preemption.OURS && whiteBox;
            NDArray xrec = adaptive ? reconstructor.reconstruct(robustifyWith, xs) : null;
            ThreatModel threat = cfg.adversary();
            for (var a : attacks.entrySet()) {
                boolean[] ok = a.getValue().apply(threat).perturb(f, xs, y).robust(AttackResult.correct(pred, labels));
                grey.put(a.getKey(), ok);
                if (p == Preemption.NONE) {
                    white.put(a.getKey(), ok);
                } else if (adaptive) {
                    AdaptiveAttack.Result w = new AdaptiveAttack(cfg, a.getValue()).attackFrom(f, x0, xs, xrec, y);
                    white.put(a.getKey(), w.worstCase());
                    recErr = w.reconstructionError();
                    perBudget.put(a.getKey(), robustCounts(w.robustPerBudget()));
                }
            }
            List<EvalReport.ImageRow> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rows.add(new EvalReport.ImageRow(data.index(r.from() + i), (int) labels[i], p.title(), pred[i],
                        protectedLabels[i], loss[i], column(grey, i), column(white, i), recErr[i], passes[i]));
            }
            return new EvalState.BatchResult(p.title(), r.from(), seconds, perBudget, rows);
        }
    }

    /** @return per attack, image {@code i}'s verdict (attacks without white-box verdicts are left out) */
    private static Map<String, Boolean> column(Map<String, boolean[]> verdicts, int i) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        verdicts.forEach((a, v) -> out.put(a, v[i]));
        return out;
    }

    /** @return per budget, the number of robust images */
    private static int[] robustCounts(boolean[][] perBudget) {
        int[] counts = new int[perBudget.length];
        for (int b = 0; b < counts.length; b++) {
            counts[b] = AttackResult.count(perBudget[b]);
        }
        return counts;
    }
}
