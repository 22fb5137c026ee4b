package ai.preempt.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.report.PassStats;
import ai.preempt.robustify.Lemma1;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures robustification against its floor: the model's own forward+backward time. Robustification
 * costs T·m·(K+1) passes per image, so its wall time per image divided by that many passes (at the same
 * batch size) says how much overhead Preempt adds on top of the model.
 */
public final class RobustifyBenchmark {

    private RobustifyBenchmark() {}

    /**
     * One robustification mode measured on a set of images.
     *
     * @param mode name (e.g. "default", "fast")
     * @param images number of images
     * @param secondsPerImage wall time per image
     * @param passStats forward+backward passes per image: mean, median, 95th percentile
     * @param clean accuracy of the (8-bit) robustified images
     * @param greyBox attack name → accuracy of the robustified images under that attack (grey-box)
     * @param exited images that left early (fast mode)
     * @param passes per image, in data order
     * @param outerSteps per image, outer steps taken
     * @param lemma1 share of the correctly classified originals whose written image meets Lemma 1 ({@link Lemma1})
     * @param robust attack name → per image, in data order: correct on the robustified image and not fooled
     */
    public record ModeResult(String mode, int images, double secondsPerImage, PassStats passStats, double clean,
            Map<String, Double> greyBox, int exited, long[] passes, int[] outerSteps, double lemma1,
            Map<String, boolean[]> robust) {}

    /**
     * @return the median wall time of one input-gradient forward+backward pass on a batch of {@code batch}
     *     images of {@code data}, over {@code reps} repetitions after two warm-up passes
     */
    public static double passSeconds(Classifier f, LabeledImages data, int batch, int reps) {
        return PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                int b = Math.min(batch, data.size());
                NDArray x = data.images(m, 0, b);
                NDArray y = data.labels(m, 0, b);
                double[] t = new double[reps];
                for (int i = -2; i < reps; i++) {
                    long t0 = System.nanoTime();
                    Scopes.keepAll(() -> Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y)).loss().sum()
                            .getFloat());
                    if (i >= 0) {
                        t[i] = (System.nanoTime() - t0) / 1e9;
                    }
                }
                Arrays.sort(t);
                return t[reps / 2];
            }
        });
    }

    /** Robustifies {@code data} in batches, then attacks the 8-bit results; returns time, passes and accuracy. */
    public static ModeResult run(String mode, Classifier f, Robustifier r, LabeledImages data, int batch,
            Map<String, Attack> attacks) {
        List<Long> passes = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Boolean> correctOriginal = new ArrayList<>();
        Lemma1 lemma1 = new Lemma1(r.config());
        double[] seconds = {0};
        int[] clean = {0};
        Map<String, List<Boolean>> robust = new LinkedHashMap<>();
        attacks.keySet().forEach(k -> robust.put(k, new ArrayList<>()));
        for (LabeledImages.Range range : data.batchRanges(batch)) {
            PreemptEngine.run(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray x0 = data.images(m, range.from(), range.to());
                    NDArray y = data.labels(m, range.from(), range.to());
                    long t0 = System.nanoTime();
                    RobustifyResult res = r.robustify(f, x0, null);
                    NDArray xs = Quantizer.quantize(x0, res.images(),
                            r.config().adversary().withEps(r.config().delta()));
                    seconds[0] += (System.nanoTime() - t0) / 1e9;
                    long[] pred = f.predict(xs).toLongArray();
                    long[] labels = y.toLongArray();
                    float[] l = lemma1.robustLoss(f, xs, m.create(res.labels()));
                    for (int i = 0; i < res.passes().length; i++) {
                        passes.add(res.passes()[i]);
                        steps.add(res.outerSteps()[i]);
                        loss.add((double) l[i]);
                        correctOriginal.add(res.labels()[i] == labels[i]);
                    }
                    boolean[] correct = AttackResult.correct(pred, labels);
                    clean[0] += AttackResult.count(correct);
                    for (var e : attacks.entrySet()) {
                        for (boolean b : e.getValue().perturb(f, xs, y).robust(correct)) {
                            robust.get(e.getKey()).add(b);
                        }
                    }
                }
            });
        }
        long[] inOrder = passes.stream().mapToLong(Long::longValue).toArray();
        int[] stepsInOrder = steps.stream().mapToInt(Integer::intValue).toArray();
        int n = data.size();
        Map<String, Double> greyBox = new LinkedHashMap<>();
        Map<String, boolean[]> perImage = new LinkedHashMap<>();
        robust.forEach((k, v) -> {
            boolean[] b = new boolean[v.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = v.get(i);
            }
            perImage.put(k, b);
            greyBox.put(k, AttackResult.count(b) / (double) n);
        });
        int exited = (int) Arrays.stream(stepsInOrder).filter(s -> s < r.config().outerSteps()).count();
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = correctOriginal.get(i);
        }
        return new ModeResult(mode, n, seconds[0] / n, PassStats.of(inOrder), clean[0] / (double) n, greyBox,
                exited, inOrder, stepsInOrder,
                Lemma1.share(loss.stream().mapToDouble(Double::doubleValue).toArray(), correct), perImage);
    }
}
