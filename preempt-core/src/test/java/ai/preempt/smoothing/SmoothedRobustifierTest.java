package ai.preempt.smoothing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.robustify.L2Step;
import org.junit.jupiter.api.Test;

class SmoothedRobustifierTest {

    /** method.md: raw L2 step, β = 0.005 for smoothed classifiers; the scale-free step moves 0.1 δ per step. */
    @Test
    void unconfiguredRobustifierTakesThePapersRawStepAndSmoothedLearningRate() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = SmoothingFixtures.constant(m, 2, 0);
                SmoothedRobustifier paper = SmoothedRobustifier.builder().setBase(f).setSigma(0.25).setEps(0.5)
                        .build();
                assertThat(paper.config().l2Step()).isEqualTo(L2Step.RAW);
                assertThat(paper.config().lr()).isEqualTo(0.005);
                assertThat(paper.config().delta()).isEqualTo(0.5);
                SmoothedRobustifier scaleFree = SmoothedRobustifier.builder().setBase(f).setSigma(0.25).setEps(0.5)
                        .optL2Step(L2Step.NORMALIZED).build();
                assertThat(scaleFree.config().lr()).isEqualTo(0.1);
                SmoothedRobustifier given = SmoothedRobustifier.builder().setBase(f).setSigma(0.25).setEps(0.5)
                        .optLr(0.02).build();
                assertThat(given.config().lr()).isEqualTo(0.02);
            }
        });
    }

    @Test
    void robustifiedImagesStayOnTheEightBitGridInsideTheDeltaBallAndRepeatWithTheSameSeed() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(3);
                float[][] w = new float[4][SmoothingFixtures.PIXELS];
                for (float[] row : w) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = (float) rng.nextDouble() - 0.5f;
                    }
                }
                LinearClassifier f = new LinearClassifier(m, w, new float[4], SmoothingFixtures.SHAPE);
                NDArray x0 = new Rng(4).uniform(m, new Shape(3, 3, 4, 4), 0, 1).mul(255).round().div(255);
                for (L2Step step : L2Step.values()) {
                    SmoothedRobustifier r = SmoothedRobustifier.builder().setBase(f).setSigma(0.25).setEps(0.5)
                            .optOuterSteps(4).optSeed(7).optL2Step(step).build();
                    NDArray xs = r.robustify(x0);
                    assertThat(xs.getShape()).isEqualTo(x0.getShape());
                    float[] dist = xs.sub(x0).reshape(3, -1).norm(new int[] {1}).toFloatArray();
                    for (float d : dist) {
                        assertThat(d).isLessThanOrEqualTo(0.5f + 1e-5f);
                    }
                    assertThat(xs.mul(255).sub(xs.mul(255).round()).abs().max().getFloat()).isLessThan(1e-3f);
                    assertThat(xs.min().getFloat()).isGreaterThanOrEqualTo(0f);
                    assertThat(xs.max().getFloat()).isLessThanOrEqualTo(1f);
                    NDArray again = SmoothedRobustifier.builder().setBase(f).setSigma(0.25).setEps(0.5)
                            .optOuterSteps(4).optSeed(7).optL2Step(step).build().robustify(x0);
                    assertThat(again.toFloatArray()).isEqualTo(xs.toFloatArray());
                }
            }
        });
    }
}
