package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.AutoAttack;
import ai.preempt.attack.GradientMaskingChecks;
import ai.preempt.attack.Square;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.Progress;
import ai.preempt.model.Classifier;
import ai.preempt.report.AutoAttackReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link AutoAttack} over a data set component by component, as the reference does: first the clean
 * predictions and the gradient-masking probes, then each component on every image all earlier components
 * failed on, in batches. With a state file the per-image status is saved after every batch, and a later
 * run with the same settings continues where the last one stopped; batches are formed the same way on
 * resume, so a resumed run gives the same result as an uninterrupted one.
 */
public final class AutoAttackEvaluation {

    private AutoAttackEvaluation() {}

    /**
     * @param f the classifier
     * @param aa the ensemble
     * @param data labelled images
     * @param batch batch size
     * @param config options to record in the report
     * @param progress reports images done, per component
     * @param stateFile where to save (and from where to resume) the per-image status; null for none
     * @return the report
     */
    public static AutoAttackReport run(Classifier f, AutoAttack aa, LabeledImages data, int batch,
            Map<String, Object> config, Progress progress, Path stateFile) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        long t0 = System.nanoTime();
        List<Attack> comps = aa.components();
        List<String> names = comps.stream().map(Attack::name).toList();
        AutoAttackState state = AutoAttackState.resume(stateFile,
                AutoAttackState.start(f.name(), aa.toString(), batch,
                        data.size() + " images, index hash " + java.util.Arrays.hashCode(data.indices()), names));
        Map<Integer, AutoAttackState.ImageState> st = state.status();

        // clean predictions and probes
        progress.start("clean + checks", data.size());
        for (LabeledImages.Range r : data.batchRanges(batch)) {
            boolean known = true;
            for (int i = r.from(); i < r.to(); i++) {
                known &= st.containsKey(data.index(i));
            }
            if (!known) {
                double diff = PreemptEngine.call(() -> {
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        NDArray x = data.images(m, r.from(), r.to());
                        NDArray y = data.labels(m, r.from(), r.to());
                        long[] pred = f.predict(x).toLongArray();
                        GradientMaskingChecks.Probe p = GradientMaskingChecks.probe(f, x, y);
                        for (int i = r.from(); i < r.to(); i++) {
                            int k = i - r.from();
                            st.put(data.index(i), new AutoAttackState.ImageState(data.label(i), pred[k],
                                    p.zeroGradient()[k], 0, null, pred[k]));
                        }
                        return p.maxLogitDifference();
                    }
                });
                state = state.withMaxLogitDifference(diff);
                state.save(stateFile);
            }
            progress.advance(r.size(), null);
        }
        progress.finish();

        for (int c = 0; c < comps.size(); c++) {
            Attack comp = comps.get(c);
            int ci = c;
            // the images robust before component c, in data order: the same list on every resume
            List<Integer> eligible = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                AutoAttackState.ImageState s = st.get(data.index(i));
                if (s.cleanCorrect() && (s.fooledBy() == null || names.indexOf(s.fooledBy()) >= c)) {
                    eligible.add(i);
                }
            }
            progress.start(comp.name(), eligible.size());
            for (int from = 0; from < eligible.size(); from += batch) {
                List<Integer> chunk = eligible.subList(from, Math.min(eligible.size(), from + batch));
                boolean done = chunk.stream().allMatch(i -> st.get(data.index(i)).completed() > ci);
                if (!done) {
                    PreemptEngine.run(() -> {
                        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                            NDArray x = gather(m, data, chunk, true);
                            NDArray y = gather(m, data, chunk, false);
                            AttackResult a = comp.perturb(f, x, y);
                            for (int k = 0; k < chunk.size(); k++) {
                                int idx = data.index(chunk.get(k));
                                st.put(idx, st.get(idx).after(ci, a.success()[k] ? comp.name() : null,
                                        a.predictions()[k]));
                            }
                        }
                    });
                    state.save(stateFile);
                }
                long robustNow = st.values().stream().filter(s -> s.cleanCorrect() && s.fooledBy() == null).count();
                progress.advance(chunk.size(), String.format(java.util.Locale.ROOT, "robust %.3f",
                        (double) robustNow / data.size()));
            }
            progress.finish();
        }
        return report(f, aa, data, config, state, names, (System.nanoTime() - t0) / 1e9);
    }

    private static NDArray gather(NDManager m, LabeledImages data, List<Integer> positions, boolean images) {
        NDList parts = new NDList();
        for (int i : positions) {
            parts.add(images ? data.images(m, i, i + 1) : data.labels(m, i, i + 1));
        }
        return NDArrays.concat(parts);
    }

    private static AutoAttackReport report(Classifier f, AutoAttack aa, LabeledImages data, Map<String, Object> config,
            AutoAttackState state, List<String> names, double seconds) {
        Map<Integer, AutoAttackState.ImageState> st = state.status();
        Map<String, Integer> successes = new LinkedHashMap<>();
        names.forEach(nm -> successes.put(nm, 0));
        List<AutoAttackReport.ImageResult> images = new ArrayList<>();
        int clean = 0;
        int robust = 0;
        int zero = 0;
        for (int i = 0; i < data.size(); i++) {
            int idx = data.index(i);
            AutoAttackState.ImageState s = st.get(idx);
            boolean isRobust = s.cleanCorrect() && s.fooledBy() == null;
            clean += s.cleanCorrect() ? 1 : 0;
            robust += isRobust ? 1 : 0;
            zero += s.cleanCorrect() && s.zeroGradient() ? 1 : 0;
            if (s.fooledBy() != null) {
                successes.merge(s.fooledBy(), 1, Integer::sum);
            }
            images.add(new AutoAttackReport.ImageResult(idx, s.label(), s.cleanPrediction(), s.prediction(),
                    s.fooledBy(), isRobust));
        }
        Map<String, Double> after = new LinkedHashMap<>();
        int left = clean;
        for (String nm : names) {
            left -= successes.get(nm);
            after.put(nm, (double) left / data.size());
        }
        int squareOnly = 0;
        for (int c = 0; c < aa.components().size(); c++) {
            if (aa.components().get(c) instanceof Square) {
                squareOnly += successes.get(names.get(c));
            }
        }
        GradientMaskingChecks.Report checks = GradientMaskingChecks.report(state.maxLogitDifference(), zero, clean,
                squareOnly);
        return new AutoAttackReport(f.name(), aa.toString(), config, data.size(), (double) clean / data.size(),
                (double) robust / data.size(), successes, after, checks, seconds, images);
    }
}
