package ai.preempt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.Losses;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.robustify.L2Step;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.smoothing.SoftSmoothedClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every differentiable computation of Preempt gives the same gradient when the garbage collector runs
 * between forward and backward. Guards against constants whose memory the JVM owns being saved by autograd
 * (see {@link Ops}): before that fix, L2 robustification under GC pressure returned NaN images.
 */
class GcStressTest {

    @AfterEach
    void off() {
        Gradients.setGcStress(false);
    }

    /** @return the gradient of {@code loss} at x without and with a full GC before backward */
    private static float[][] bothWays(NDArray x, Function<NDArray, NDArray> loss) {
        float[][] out = new float[2][];
        for (int i = 0; i < 2; i++) {
            Gradients.setGcStress(i == 1);
            out[i] = Scopes.keepAll(() -> Gradients.of(x, loss).grad().toFloatArray());
        }
        return out;
    }

    private static void assertSameAndFinite(float[][] g) {
        for (float v : g[1]) {
            assertThat(Float.isFinite(v)).isTrue();
        }
        assertThat(g[1]).containsExactly(g[0]);
    }

    @Test
    void projectionsAndLossesGiveTheSameGradientUnderGcPressure() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(3)) {
                NDArray x0 = m.randomUniform(0, 1, new Shape(4, 3, 32, 32));
                NDArray step = m.randomNormal(0, 0.1f, new Shape(4, 3, 32, 32), ai.djl.ndarray.types.DataType.FLOAT32);
                NDArray y = m.create(new long[] {1, 2, 3, 4});
                NDArray t = m.create(new long[] {5, 6, 7, 8});
                ThreatModel l2 = ThreatModel.of(Norm.L2, 0.5);
                ThreatModel linf = ThreatModel.of(Norm.LINF, 8 / 255.0);
                assertSameAndFinite(bothWays(x0, in -> Losses.crossEntropy(f.logits(l2.project(x0, in.add(step))), y)));
                assertSameAndFinite(bothWays(x0, in -> Losses.crossEntropy(f.logits(linf.project(x0, in.add(step))), y)));
                assertSameAndFinite(bothWays(x0, in -> Losses.dlr(f.logits(in), y)));
                assertSameAndFinite(bothWays(x0, in -> Losses.dlrTargeted(f.logits(in), y, t)));
                assertSameAndFinite(bothWays(x0, in -> Losses.margin(f.logits(in), y)));
            }
        });
    }

    @Test
    void theTestsLinearClassifierGivesTheSameGradientUnderGcPressure() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(3);
                float[][] w = new float[3][48];
                for (float[] row : w) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = (float) (rng.nextDouble() - 0.5);
                    }
                }
                // the fixture most robustification tests run on: its logits scale must not borrow JVM memory
                LinearClassifier f = new LinearClassifier(m, w, new float[3], new Shape(3, 4, 4)).scaled(3f);
                NDArray x0 = rng.uniform(m, new Shape(4, 3, 4, 4), 0, 1);
                NDArray y = m.create(new long[] {0, 1, 2, 0});
                assertSameAndFinite(bothWays(x0, in -> Losses.crossEntropy(f.logits(in), y)));
            }
        });
    }

    @Test
    void rowSelectionOnTheGradientPathGivesTheSameGradientUnderGcPressure() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(6)) {
                NDArray x0 = m.randomUniform(0, 1, new Shape(4, 3, 32, 32));
                NDArray y = m.create(new long[] {1, 2, 3, 4});
                // images reordered on the autograd path (the stream's per-image inner steps do this): the index
                // tensor must outlive the forward pass
                assertSameAndFinite(bothWays(x0, in -> Losses.crossEntropy(f.logits(Rows.select(
                        Rows.select(in, new int[] {2, 0, 3, 1}).mul(Rows.select(in, new int[] {1, 3, 0, 2})), new int[] {1, 3, 0, 2})), y)));
            }
        });
    }

    @Test
    void smoothedSoftClassifierGivesTheSameGradientUnderGcPressure() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(4)) {
                NDArray x0 = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
                NDArray y = m.create(new long[] {1, 2});
                float[][] g = new float[2][];
                for (int i = 0; i < 2; i++) {
                    // a fresh, equally seeded G each time: the same noise in both runs
                    Classifier soft = SoftSmoothedClassifier.builder().setBase(f).setSigma(0.25).optSamples(4)
                            .optSeed(9).build();
                    Gradients.setGcStress(i == 1);
                    g[i] = Scopes.keepAll(() -> Gradients.of(x0, in -> Losses.crossEntropy(soft.logits(in), y))
                            .grad().toFloatArray());
                }
                assertSameAndFinite(g);
            }
        });
    }

    @Test
    void robustificationGivesTheSameImagesUnderGcPressure() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(5)) {
                NDArray x0 = m.randomUniform(0, 1, new Shape(3, 3, 32, 32));
                for (RobustifyConfig cfg : new RobustifyConfig[] {
                        RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(3).optInnerSteps(2).build(),
                        RobustifyConfig.builder(Norm.L2, 0.5).optOuterSteps(3).optInnerSteps(2).build(),
                        RobustifyConfig.builder(Norm.L2, 0.5).optOuterSteps(3).optInnerSteps(2)
                                .optL2Step(L2Step.RAW).optLr(0.001).build()}) {
                    float[][] out = new float[2][];
                    for (int i = 0; i < 2; i++) {
                        Gradients.setGcStress(i == 1);
                        out[i] = Scopes.keepAll(() -> Robustifier.of(cfg).robustify(f, x0, null).images()
                                .toFloatArray());
                    }
                    assertSameAndFinite(out);
                }
            }
        });
    }
}
