package ai.preempt.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.Pgd;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.io.Progress;
import ai.preempt.model.LinearClassifier;
import ai.preempt.robustify.FastMode;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.RobustLoss;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.threat.Norm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreemptionEvaluationTest {

    /**
     * Issue 18: Lemma 1 was judged on the optimiser's last loss, measured one update before the end on the float
     * image and, in fast mode, against the cheap inner attack (PGD-1 here), so it could be met on images the
     * full attack fools. The reported loss must be the full K-step robust loss of the image that is evaluated.
     */
    @Test
    void robustLossIsTheFullInnerAttacksLossOnTheEvaluated8BitImage() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(4);
                float[] v = new float[48];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5) * 4;
                }
                LinearClassifier f = new LinearClassifier(m, new float[][] {new float[48], v}, new float[] {0f, 0.3f},
                        new Shape(3, 4, 4));
                byte[] pix = new byte[6 * 48];
                for (int i = 0; i < pix.length; i++) {
                    pix[i] = (byte) rng.nextInt(256);
                }
                LabeledImages data = LabeledImages.of(pix, new int[] {0, 1, 0, 1, 1, 0}, f.classes(), 3, 4, 4);
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(6).optInnerSteps(5)
                        .optFast(new FastMode(3, 1, 0.5, 1, 0)).build();
                EvalReport report = new PreemptionEvaluation(cfg, true,
                        Map.of("pgd", t -> Pgd.builder().setThreat(t).build()), false)
                        .run(f, data, List.of(Preemption.OURS), 6, Map.of(), Progress.NONE);

                NDArray x0 = data.images(m, 0, 6);
                RobustifyResult rr = Robustifier.of(cfg).robustify(f, x0, null);
                NDArray xs = Quantizer.quantize(x0, rr.images(), cfg.adversary());
                float[] full = new RobustLoss(cfg).value(f, xs, m.create(rr.labels()), cfg.seed());
                double[] reported = report.images().stream().mapToDouble(EvalReport.ImageRow::robustLoss).toArray();
                for (int i = 0; i < full.length; i++) {
                    assertThat(reported[i]).as("image " + i).isCloseTo(full[i], org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        });
    }
}
