package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.Progress;
import ai.preempt.model.Classifier;
import ai.preempt.robustify.AdaptiveAttack;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Reconstructor;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The paper's evaluation protocol (Tables 1–2): for each preemption (None, Ours) the clean accuracy of
 * x_s, grey-box accuracy (the attack sees x_s only), and white-box accuracy (the adaptive attack of
 * Algorithms 3–4, judged against the true original, worst case over ε'). With None, white-box = grey-box.
 */
public final class PreemptionEvaluation {

    private final RobustifyConfig cfg;
    private final boolean quantize;
    private final Map<String, Function<ThreatModel, Attack>> attacks;
    private final boolean whiteBox;

    /**
     * @param cfg robustification settings (its ε is the adversary's budget)
     * @param quantize evaluate the 8-bit images that would be written (default) rather than floats
     * @param attacks attack name → the attack for a budget (e.g. "pgd" → PGD-20 with step ε'/4)
     */
    public PreemptionEvaluation(RobustifyConfig cfg, boolean quantize, Map<String, Function<ThreatModel, Attack>> attacks) {
        this(cfg, quantize, attacks, true);
    }

    /**
     * @param whiteBox false skips Algorithms 3–4 (the white-box columns read "–"): the grey-box table at a
     *     fraction of the cost, for large subsets
     */
    public PreemptionEvaluation(RobustifyConfig cfg, boolean quantize, Map<String, Function<ThreatModel, Attack>> attacks,
            boolean whiteBox) {
        this.cfg = cfg;
        this.quantize = quantize;
        this.attacks = attacks;
        this.whiteBox = whiteBox;
    }

    /** Accumulates one row. */
    private static final class Tally {
        int n;
        int clean;
        int lemma1;
        double recErr;
        double seconds;
        final Map<String, Integer> grey = new LinkedHashMap<>();
        final Map<String, Integer> white = new LinkedHashMap<>();
        final Map<String, int[]> perBudget = new LinkedHashMap<>();
    }

    /**
     * @param f the classifier
     * @param data labelled test images
     * @param preemptions rows to produce
     * @param batch batch size
     * @param config options to record
     * @param progress reports images done
     */
    public EvalReport run(Classifier f, LabeledImages data, List<Preemption> preemptions, int batch,
            Map<String, Object> config, Progress progress) {
        return run(f, f, data, preemptions, batch, config, progress);
    }

    /**
     * As {@link #run(Classifier, LabeledImages, List, int, Map, Progress)}, robustifying (and reconstructing)
     * with a different view of the model than the one that is evaluated and attacked; for smoothed
     * classifiers the paper robustifies with 5 noise samples per pass and evaluates with 50.
     *
     * @param robustifyWith the classifier Algorithms 1 and 3 optimise against
     */
    public EvalReport run(Classifier f, Classifier robustifyWith, LabeledImages data, List<Preemption> preemptions,
            int batch, Map<String, Object> config, Progress progress) {
        ThreatModel threat = cfg.adversary();
        ThreatModel ball = threat.withEps(cfg.delta());
        Robustifier robustifier = Robustifier.of(cfg);
        Reconstructor reconstructor = new Reconstructor(cfg);
        List<EvalReport.ImageRow> images = new ArrayList<>();
        Map<Preemption, Tally> tallies = new LinkedHashMap<>();
        preemptions.forEach(p -> tallies.put(p, new Tally()));
        progress.start("evaluate", (long) data.size() * preemptions.size());
        for (LabeledImages.Range r : data.batchRanges(batch)) {
            for (Preemption p : preemptions) {
                Tally t = tallies.get(p);
                PreemptEngine.run(() -> {
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        NDArray x0 = data.images(m, r.from(), r.to());
                        NDArray y = data.labels(m, r.from(), r.to());
                        int n = r.size();
                        NDArray xs = x0;
                        float[] loss = new float[n];
                        java.util.Arrays.fill(loss, Float.NaN);
                        if (p == Preemption.OURS) {
                            long t0 = System.nanoTime();
                            RobustifyResult rr = robustifier.robustify(robustifyWith, x0, null);
                            t.seconds += (System.nanoTime() - t0) / 1e9;
                            xs = quantize ? Quantizer.quantize(x0, rr.images(), ball) : rr.images();
                            loss = rr.robustLoss();
                        }
                        long[] pred = f.predict(xs).toLongArray();
                        long[] labels = y.toLongArray();
                        Map<String, boolean[]> grey = new LinkedHashMap<>();
                        Map<String, boolean[]> white = new LinkedHashMap<>();
                        float[] recErr = new float[n];
                        java.util.Arrays.fill(recErr, Float.NaN);
                        // Algorithm 3 once per batch; every attack of Algorithm 4 starts from the same x_rec
                        boolean adaptive = p == Preemption.OURS && whiteBox;
                        NDArray xrec = adaptive ? reconstructor.reconstruct(robustifyWith, xs) : null;
                        for (var a : attacks.entrySet()) {
                            AttackResult res = a.getValue().apply(threat).perturb(f, xs, y);
                            boolean[] ok = res.robust(AttackResult.correct(pred, labels));
                            grey.put(a.getKey(), ok);
                            if (p == Preemption.NONE) {
                                white.put(a.getKey(), ok);
                            } else if (!adaptive) {
                                white.put(a.getKey(), null);
                            } else {
                                AdaptiveAttack.Result w = new AdaptiveAttack(cfg, a.getValue()).attackFrom(f, x0, xs, xrec, y);
                                white.put(a.getKey(), w.worstCase());
                                recErr = w.reconstructionError();
                                int[] pb = t.perBudget.computeIfAbsent(a.getKey(), k -> new int[AdaptiveAttack.FRACTIONS.length]);
                                for (int b = 0; b < pb.length; b++) {
                                    for (boolean v : w.robustPerBudget()[b]) {
                                        pb[b] += v ? 1 : 0;
                                    }
                                }
                            }
                        }
                        for (int i = 0; i < n; i++) {
                            Map<String, Boolean> g = new LinkedHashMap<>();
                            Map<String, Boolean> wb = new LinkedHashMap<>();
                            for (String a : attacks.keySet()) {
                                g.put(a, grey.get(a)[i]);
                                t.grey.merge(a, grey.get(a)[i] ? 1 : 0, Integer::sum);
                                if (white.get(a) != null) {
                                    wb.put(a, white.get(a)[i]);
                                    t.white.merge(a, white.get(a)[i] ? 1 : 0, Integer::sum);
                                }
                            }
                            t.n++;
                            t.clean += pred[i] == labels[i] ? 1 : 0;
                            t.lemma1 += loss[i] <= Math.log(2) ? 1 : 0;
                            t.recErr += Float.isNaN(recErr[i]) ? 0 : recErr[i];
                            images.add(new EvalReport.ImageRow(data.index(r.from() + i), (int) labels[i], p.title(),
                                    pred[i], loss[i], g, wb, recErr[i]));
                        }
                    }
                });
                progress.advance(r.size(), p.title() + " clean " + String.format("%.3f", (double) t.clean / t.n));
            }
        }
        progress.finish();
        List<EvalReport.Row> rows = new ArrayList<>();
        for (var e : tallies.entrySet()) {
            Tally t = e.getValue();
            boolean ours = e.getKey() == Preemption.OURS;
            Map<String, Double> grey = new LinkedHashMap<>();
            Map<String, Double> white = new LinkedHashMap<>();
            Map<String, double[]> perBudget = new LinkedHashMap<>();
            for (String a : attacks.keySet()) {
                grey.put(a, t.grey.getOrDefault(a, 0) / (double) t.n);
                white.put(a, t.white.containsKey(a) ? t.white.get(a) / (double) t.n : Double.NaN);
                int[] pb = t.perBudget.get(a);
                if (pb != null) {
                    double[] acc = new double[pb.length];
                    for (int b = 0; b < pb.length; b++) {
                        acc[b] = pb[b] / (double) t.n;
                    }
                    perBudget.put(a, acc);
                }
            }
            rows.add(new EvalReport.Row(f.name(), e.getKey().title(), t.n, t.clean / (double) t.n, grey, white, perBudget,
                    ours ? t.lemma1 / (double) t.n : Double.NaN, ours && whiteBox ? t.recErr / t.n : Double.NaN,
                    ours ? t.seconds / t.n : 0));
        }
        return new EvalReport(config, rows, images);
    }
}
