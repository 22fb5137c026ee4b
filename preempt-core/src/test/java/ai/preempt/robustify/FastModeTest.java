package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FastModeTest {

    /** A 2-class linear model on 3×4×4 images: logit₁ − logit₀ = v·x + bias. */
    static LinearClassifier linear(NDManager m, long seed, float bias) {
        Rng rng = new Rng(seed);
        float[] v = new float[48];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextDouble() - 0.5);
        }
        return new LinearClassifier(m, new float[][] {new float[48], v}, new float[] {0f, bias}, new Shape(3, 4, 4));
    }

    /** 8-bit images whose margins range from hopeless to safe, so images exit at different checks. */
    private static NDArray mixedImages(NDManager m) {
        return new Rng(21).uniform(m, new Shape(12, 3, 4, 4), 0, 1).mul(255).round().div(255);
    }

    /** A test body given a scoped manager, a linear model and {@link #mixedImages}. */
    private interface Body {
        void run(NDManager m, LinearClassifier f, NDArray x0);
    }

    /** Runs {@code body} on the engine thread with the linear model of {@code modelSeed} and the mixed batch. */
    private static void onMixedBatch(long modelSeed, float bias, Body body) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                body.run(m, linear(m, modelSeed, bias), mixedImages(m));
            }
        });
    }

    private static RobustifyConfig fastConfig(Norm norm) {
        return fastConfig(norm, 0);
    }

    /** @param cheapInner inner steps while optimising (0: the full K = 5) */
    private static RobustifyConfig fastConfig(Norm norm, int cheapInner) {
        double eps = norm == Norm.LINF ? 8 / 255.0 : 0.5;
        return RobustifyConfig.builder(norm, eps).optOuterSteps(30).optInnerSteps(5).optSeed(4)
                .optFast(new FastMode(3, 2, Math.log(2) / 2, cheapInner, 0)).build();
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void batchCompactionKeepsImagesLabelsAndOutputsAligned(Norm norm) {
        onMixedBatch(5, 0.3f, (m, f, x0) -> {
            RobustifyConfig cfg = fastConfig(norm);
            RobustifyResult r = Robustifier.of(cfg).robustify(f, x0, null);
            ThreatModel ball = cfg.adversary().withEps(cfg.delta());
            // every output is within δ of its own original, and its label is its own original's prediction
            float[] dist = ball.distance(r.images(), x0).toFloatArray();
            long[] pred0 = f.predict(x0).toLongArray();
            for (int i = 0; i < dist.length; i++) {
                assertThat(dist[i]).isLessThanOrEqualTo((float) cfg.delta() + 1e-6f);
                assertThat(r.labels()[i]).isEqualTo(pred0[i]);
            }
            // images really left at different steps
            assertThat(java.util.Arrays.stream(r.passes()).distinct().count()).isGreaterThan(1);
            // and a shuffled batch gives each image the same treatment as long as seeds match per batch
            assertThat(r.images().getShape()).isEqualTo(x0.getShape());
        });
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"LINF,0", "L2,0", "LINF,2", "L2,2"})
    void earlyExitNeverReturnsAnImageItsCheckAttackFools(Norm norm, int cheapInner) {
        onMixedBatch(6, 0.2f, (m, f, x0) -> {
            RobustifyConfig cfg = fastConfig(norm, cheapInner);
            RobustifyResult r = Robustifier.of(cfg).robustify(f, x0, null);
            // for a linear model PGD finds the worst case from any start, so any check attack's verdict is
            // reproduced by this one: an early-exited image must survive it, also when the outer steps
            // optimised against a cheaper inner attack than the check's
            AttackResult a = Pgd.builder().setThreat(cfg.adversary()).optSteps(cfg.innerSteps())
                    .optRestarts(3).optSeed(99).build().perturb(f, r.images(), m.create(r.labels()));
            int exited = 0;
            for (int i = 0; i < r.passes().length; i++) {
                if (r.outerSteps()[i] < cfg.outerSteps()) {
                    exited++;
                    assertThat(a.success()[i]).as("image %d exited early but is fooled", i).isFalse();
                    assertThat(r.robustLoss()[i]).isLessThan((float) cfg.fast().lossThreshold());
                }
            }
            assertThat(exited).isGreaterThan(0);
        });
    }

    @Test
    void cheapInnerStepsCostFewerPassesPerOuterStep() {
        onMixedBatch(6, 0.2f, (m, f, x0) -> {
            RobustifyResult full = Robustifier.of(fastConfig(Norm.LINF, 0)).robustify(f, x0, null);
            RobustifyResult cheap = Robustifier.of(fastConfig(Norm.LINF, 2)).robustify(f, x0, null);
            // an image that never exits: (K+1) = 6 passes per outer step with the full loss, 3 with PGD-2
            for (RobustifyResult r : new RobustifyResult[] {full, cheap}) {
                long perStep = r == full ? 6 : 3;
                for (int i = 0; i < r.passes().length; i++) {
                    assertThat(r.passes()[i]).isGreaterThanOrEqualTo(perStep * r.outerSteps()[i]);
                }
            }
            long sumFull = java.util.Arrays.stream(full.passes()).sum();
            long sumCheap = java.util.Arrays.stream(cheap.passes()).sum();
            assertThat(sumCheap).isLessThan(sumFull);
        });
    }

    @Test
    void polishStepsOptimiseAgainstTheFullAttackAndCountItsPasses() {
        onMixedBatch(6, 0.2f, (m, f, x0) -> {
            // a threshold no robust loss gets under: no image is ever checked, every image runs all 30 steps
            RobustifyConfig.Builder b = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(30)
                    .optInnerSteps(5).optSeed(4);
            RobustifyResult plain = Robustifier.of(b.optFast(new FastMode(3, 2, 1e-30, 2, 0)).build())
                    .robustify(f, x0, null);
            RobustifyResult polished = Robustifier.of(b.optFast(new FastMode(3, 2, 1e-30, 2, 4)).build())
                    .robustify(f, x0, null);
            for (int i = 0; i < x0.getShape().get(0); i++) {
                assertThat(plain.passes()[i]).isEqualTo(30 * 3);
                // 26 steps against PGD-2 (3 passes), the last 4 against the full PGD-5 (6 passes)
                assertThat(polished.passes()[i]).isEqualTo(26 * 3 + 4 * 6);
                assertThat(polished.outerSteps()[i]).isEqualTo(30);
            }
            // the first 26 steps are the same computation; only the polish moves the images differently
            assertThat(polished.images().sub(plain.images()).abs().max().getFloat()).isGreaterThan(0f);
        });
    }

    @Test
    void checksFollowTheFirstStepAndEveryPeriodButNotTheLast() {
        FastMode fm = new FastMode(5, 2, 0.3, 5, 3);
        assertThat(java.util.stream.IntStream.range(0, 20).filter(t -> fm.checksAfter(t, 20)).toArray())
                .containsExactly(0, 4, 9, 14);
        assertThat(fm.innerSteps(20)).isEqualTo(5);
        // the last 3 steps polish against the full attack
        assertThat(java.util.stream.IntStream.range(0, 20).filter(t -> fm.polishes(t, 20)).toArray())
                .containsExactly(17, 18, 19);
        assertThat(fm.innerSteps(3)).isEqualTo(3);
        assertThat(new FastMode(5, 2, 0.3, 0, 0).innerSteps(20)).isEqualTo(20);
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedGivesIdenticalOutputInFastMode(Norm norm) {
        onMixedBatch(7, 0.1f, (m, f, x0) -> {
            NDArray a = Robustifier.of(fastConfig(norm)).robustify(f, x0, null).images();
            NDArray b = Robustifier.of(fastConfig(norm)).robustify(f, x0, null).images();
            assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
        });
    }

    @Test
    void scaleFreeL2StepIgnoresTheLogitScaleWhileTheRawStepDoesNot() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear(m, 8, -0.5f);
                LinearClassifier scaled = f.scaled(10f);
                NDArray x0 = new Rng(3).uniform(m, new Shape(4, 3, 4, 4), 0.2, 0.8);
                NDArray y = m.create(new long[] {0, 0, 0, 0});
                for (L2Step step : L2Step.values()) {
                    RobustifyConfig cfg = RobustifyConfig.builder(Norm.L2, 0.5).optOuterSteps(20).optInnerSteps(5)
                            .optL2Step(step).optLr(step == L2Step.RAW ? 0.05 : 0.1).optSeed(2).build();
                    NDArray a = Robustifier.of(cfg).robustify(f, x0, y).images();
                    NDArray b = Robustifier.of(cfg).robustify(scaled, x0, y).images();
                    float diff = a.sub(b).abs().max().getFloat();
                    if (step == L2Step.NORMALIZED) {
                        assertThat(diff).as("scale-free").isLessThan(1e-4f);
                    } else {
                        assertThat(diff).as("raw").isGreaterThan(1e-3f);
                    }
                }
            }
        });
    }
}
