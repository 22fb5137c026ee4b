package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.Losses;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReconstructorTest {

    /**
     * Algorithm 3 on a two-class linear model, logit₁ − logit₀ = v·x: the robust loss of label ŷ_s = 1 only
     * grows as v·x falls, so the ascent inside B_δ(x_s) ends where the margin is smallest: x_s − δ·sign(v) for
     * L∞ and x_s − δ·v/‖v‖₂ for L2 (the pixel box does not bind for images in [0.3, 0.7]).
     */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void reconstructionAscendsTheLossToTheClosedFormCornerOfTheBall(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(31);
                float[] v = new float[48];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5);
                }
                LinearClassifier f = new LinearClassifier(m, new float[][] {new float[48], v}, new float[] {0f, 3f},
                        new Shape(3, 4, 4));
                NDArray xs = rng.uniform(m, new Shape(3, 3, 4, 4), 0.3, 0.7);
                double delta = norm == Norm.LINF ? 8 / 255.0 : 0.5;
                RobustifyConfig cfg = RobustifyConfig.builder(norm, delta).optOuterSteps(40).optInnerSteps(3)
                        .optSeed(5).build();
                NDArray xrec = new Reconstructor(cfg).reconstruct(f, xs);
                ThreatModel ball = ThreatModel.of(norm, delta);
                NDArray vv = m.create(v, new Shape(1, 3, 4, 4));
                NDArray closed = norm == Norm.LINF ? xs.sub(vv.sign().mul(delta))
                        : xs.sub(vv.div(vv.norm()).mul(delta));
                float[] dist = ball.distance(xrec, xs).toFloatArray();
                float[] off = ball.distance(xrec, closed).toFloatArray();
                NDArray y = m.create(new long[] {1, 1, 1});
                float[] before = Losses.crossEntropy(f.logits(xs), y).toFloatArray();
                float[] after = Losses.crossEntropy(f.logits(xrec), y).toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat(dist[i]).isLessThanOrEqualTo((float) delta + 1e-5f);
                    assertThat(after[i]).as("image %d", i).isGreaterThan(before[i]);
                    assertThat(off[i]).as("image %d off the closed form", i).isLessThan(0.05f * (float) delta);
                }
            }
        });
    }
}
