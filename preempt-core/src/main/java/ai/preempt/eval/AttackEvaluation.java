package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.Progress;
import ai.preempt.model.Classifier;
import ai.preempt.report.AttackReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Clean and robust accuracy of a classifier under one attack, batch by batch, with per-image results. */
public final class AttackEvaluation {

    private AttackEvaluation() {}

    /**
     * {@link #run(Classifier, Attack, LabeledImages, int, Map, Progress)} in batches of 100, recording nothing
     * more and reporting no progress.
     *
     * @return the report: {@link AttackReport#cleanAccuracy()} and {@link AttackReport#robustAccuracy()}
     */
    public static AttackReport run(Classifier f, Attack attack, LabeledImages data) {
        return run(f, attack, data, 100, Map.of(), Progress.NONE);
    }

    /**
     * @param f the classifier
     * @param attack the attack
     * @param data labelled images
     * @param batch batch size
     * @param config options to record in the report
     * @param progress reports images done
     * @return the report
     */
    public static AttackReport run(Classifier f, Attack attack, LabeledImages data, int batch,
            Map<String, Object> config, Progress progress) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        long t0 = System.nanoTime();
        List<AttackReport.ImageResult> results = new ArrayList<>(data.size());
        progress.start(attack.name() + " " + attack.threat().describe(), data.size());
        int clean = 0;
        int robust = 0;
        for (LabeledImages.Range r : data.batchRanges(batch)) {
            List<AttackReport.ImageResult> part = PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray x = data.images(m, r.from(), r.to());
                    NDArray y = data.labels(m, r.from(), r.to());
                    long[] cleanPred = f.predict(x).toLongArray();
                    AttackResult a = attack.perturb(f, x, y);
                    boolean[] correct = AttackResult.correct(cleanPred, y.toLongArray());
                    boolean[] notFooled = a.robust(correct);
                    List<AttackReport.ImageResult> out = new ArrayList<>();
                    for (int i = 0; i < r.size(); i++) {
                        out.add(new AttackReport.ImageResult(data.index(r.from() + i), data.label(r.from() + i),
                                cleanPred[i], a.predictions()[i], correct[i] && a.success()[i], notFooled[i]));
                    }
                    return out;
                }
            });
            for (AttackReport.ImageResult ir : part) {
                clean += ir.cleanPrediction() == ir.label() ? 1 : 0;
                robust += ir.robust() ? 1 : 0;
            }
            results.addAll(part);
            progress.advance(r.size(), String.format("clean %.3f robust %.3f", (double) clean / results.size(),
                    (double) robust / results.size()));
        }
        progress.finish();
        return new AttackReport(f.name(), attack.toString(), config, data.size(), (double) clean / data.size(),
                (double) robust / data.size(), (System.nanoTime() - t0) / 1e9, results);
    }
}
