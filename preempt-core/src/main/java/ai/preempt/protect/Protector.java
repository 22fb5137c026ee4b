package ai.preempt.protect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.data.Image;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.eval.ImageQuality;
import ai.preempt.model.Classifier;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.RobustLoss;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The main job for one batch: predict, robustify, round to 8 bits inside the δ-ball, and judge what will
 * be written (labels, robust loss, Lemma 1, distances, PSNR, SSIM).
 */
public final class Protector {

    private static final double LOG2 = Math.log(2);
    private final Classifier f;
    private final Robustifier robustifier;
    private final RobustLoss judge;
    private final boolean quantize;
    private final Attack check;

    /**
     * @param f the classifier to protect against
     * @param robustifier the robustifier
     * @param quantize round to 8 bits (what a user uploads); false keeps floats (the reference's evaluation)
     * @param check an attack run on both the original and the protected image to show the difference, or null
     */
    public Protector(Classifier f, Robustifier robustifier, boolean quantize, Attack check) {
        this.f = f;
        this.robustifier = robustifier;
        this.judge = new RobustLoss(robustifier.config());
        this.quantize = quantize;
        this.check = check;
    }

    /** A protected image and its verdict. */
    public record Protected(Image image, Verdict verdict) {}

    /**
     * @param originals images of the classifier's input shape, on the 8-bit grid
     * @param names one name per image
     * @param trueLabels true labels, or null when unknown (the protected label is then the prediction)
     * @return one result per image, in order
     */
    public List<Protected> protect(List<Image> originals, List<String> names, int[] trueLabels) {
        return PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                List<NDArray> parts = new ArrayList<>();
                for (Image img : originals) {
                    parts.add(img.toNDArray(m));
                }
                NDArray x0 = Scopes.keep(() -> Quantizer.to8bit(ai.djl.ndarray.NDArrays.concat(
                        new ai.djl.ndarray.NDList(parts))));
                return protectBatch(x0, names, trueLabels);
            }
        });
    }

    /**
     * As {@link #protect}, for a batch already in a tensor (N×C×H×W, 8-bit grid).
     */
    public List<Protected> protectBatch(NDArray x0, List<String> names, int[] trueLabels) {
        return PreemptEngine.call(() -> Scopes.keepAll(() -> {
            RobustifyConfig cfg = robustifier.config();
            ThreatModel ball = cfg.adversary().withEps(cfg.delta());
            long[] before = f.predict(x0).toLongArray();
            RobustifyResult r = robustifier.robustify(f, x0, null);
            NDArray out = quantize ? Quantizer.quantize(x0, r.images(), ball) : r.images();
            long[] after = f.predict(out).toLongArray();
            NDArray y = x0.getManager().create(r.labels());
            float[] loss = judge.value(f, out, y, cfg.seed() + 1);
            float[] linf = ThreatModel.of(ai.preempt.threat.Norm.LINF, 1).distance(out, x0).toFloatArray();
            float[] l2 = ThreatModel.of(ai.preempt.threat.Norm.L2, 1).distance(out, x0).toFloatArray();
            int n = (int) x0.getShape().get(0);
            long[] attackedBefore = new long[n];
            long[] attackedAfter = new long[n];
            java.util.Arrays.fill(attackedBefore, -1);
            java.util.Arrays.fill(attackedAfter, -1);
            if (check != null) {
                attackedBefore = check.perturb(f, x0, x0.getManager().create(before)).predictions();
                attackedAfter = check.perturb(f, out, y).predictions();
            }
            List<Protected> result = new ArrayList<>(n);
            List<String> classes = f.classes();
            for (int i = 0; i < n; i++) {
                Image orig = Image.fromNDArray(x0.get(i));
                Image img = Image.fromNDArray(out.get(i));
                double psnr = ImageQuality.psnr(orig.chw(), img.chw());
                double ssim = ImageQuality.ssim(orig.chw(), img.chw(), img.channels(), img.height(), img.width());
                result.add(new Protected(img, new Verdict(names.get(i), before[i], classes.get((int) before[i]), after[i],
                        classes.get((int) after[i]), r.labels()[i], loss[i], loss[i] <= LOG2, linf[i], l2[i], psnr, ssim,
                        r.passes()[i] + judge.passesPerImage(), r.outerSteps()[i], trueLabels == null ? -1 : trueLabels[i], attackedBefore[i],
                        attackedAfter[i])));
            }
            return result;
        }));
    }
}
