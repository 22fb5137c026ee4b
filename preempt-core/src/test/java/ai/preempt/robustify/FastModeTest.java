package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.CountingClassifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.RandomStart;
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

    /**
     * Without random starts every image's trajectory depends only on itself and its label, so a shuffled
     * batch must give each image exactly what the unshuffled batch gives it, although the two batches exit
     * and compact in different orders. The labels are given and mixed (a quarter of them against the model's
     * prediction, which robustification then pulls towards), so a label that slips to another row during
     * compaction moves its image the wrong way.
     */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void shuffledBatchWithMixedLabelsGivesEveryImageTheSameOutputThroughCompaction(Norm norm) {
        onMixedBatch(5, 0f, (m, f0, x0) -> {
            int n = (int) x0.getShape().get(0);
            // the bias that splits the batch's predictions in half, logits steep enough for images to exit
            float[] raw = margins(f0, x0, new long[n]);
            java.util.Arrays.sort(raw);
            LinearClassifier f = linear(m, 5, (raw[n / 2 - 1] + raw[n / 2]) / 2).scaled(6f);
            RobustifyConfig cfg = fastConfig(norm).toBuilder().optOuterStart(RandomStart.NONE)
                    .optInnerStart(RandomStart.NONE).build();
            long[] y = f.predict(x0).toLongArray();
            for (int i = 0; i < n; i += 4) {
                y[i] = 1 - y[i];
            }
            int[] perm = {7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 8, 4};
            long[] yPerm = new long[n];
            for (int j = 0; j < n; j++) {
                yPerm[j] = y[perm[j]];
            }
            RobustifyResult a = Robustifier.of(cfg).robustify(f, x0, m.create(y));
            RobustifyResult b = Robustifier.of(cfg).robustify(f, ai.preempt.engine.Rows.select(x0, perm),
                    m.create(yPerm));
            ThreatModel ball = cfg.adversary().withEps(cfg.delta());
            float[] dist = ball.distance(a.images(), x0).toFloatArray();
            for (int j = 0; j < n; j++) {
                int i = perm[j];
                assertThat(b.labels()[j]).isEqualTo(y[i]);
                assertThat(b.outerSteps()[j]).as("image %d", i).isEqualTo(a.outerSteps()[i]);
                assertThat(b.images().get(j).sub(a.images().get(i)).abs().max().getFloat()).as("image %d", i)
                        .isLessThan(1e-5f);
                assertThat(dist[i]).isLessThanOrEqualTo((float) cfg.delta() + 1e-6f);
            }
            // each image was pulled towards its own label: its margin for that label grew
            float[] before = margins(f, x0, y);
            float[] after = margins(f, a.images(), y);
            for (int i = 0; i < n; i++) {
                assertThat(after[i]).as("image %d", i).isGreaterThan(before[i]);
            }
            // images really left at different steps, with both labels among those that left and those that stayed
            assertThat(java.util.Arrays.stream(a.outerSteps()).distinct().count()).isGreaterThan(1);
            java.util.Set<Long> left = new java.util.HashSet<>();
            java.util.Set<Long> stayed = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                (a.outerSteps()[i] < cfg.outerSteps() ? left : stayed).add(y[i]);
            }
            assertThat(left).containsExactlyInAnyOrder(0L, 1L);
            assertThat(stayed).isNotEmpty();
        });
    }

    /** @return per image: logit of its label minus the other logit (two classes) */
    private static float[] margins(LinearClassifier f, NDArray x, long[] y) {
        NDArray logits = f.logits(x);
        float[] margin = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            float[] row = logits.get(i).toFloatArray();
            margin[i] = row[(int) y[i]] - row[1 - (int) y[i]];
        }
        return margin;
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

    /**
     * The passes the result reports are the model's real passes: without checks every reported pass is one
     * image through the wrapped model and nothing else goes through it (an image that never exits costs
     * (K+1) = 6 per outer step with the full loss, 3 with PGD-2), and the polish's last 4 steps cost the full
     * attack's 6.
     */
    @Test
    void reportedPassesAreTheModelsRealPassesWithCheapInnerStepsAndPolish() {
        onMixedBatch(6, 0.2f, (m, f, x0) -> {
            NDArray y = f.predict(x0);
            int n = (int) x0.getShape().get(0);
            // a threshold no robust loss gets under: no image is ever checked, every image runs all 30 steps
            RobustifyConfig.Builder b = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(30)
                    .optInnerSteps(5).optSeed(4);
            long[] expected = {30 * 6, 30 * 3, 26 * 3 + 4 * 6};
            FastMode[] modes = {null, new FastMode(3, 2, 1e-30, 2, 0), new FastMode(3, 2, 1e-30, 2, 4)};
            RobustifyResult plain = null;
            RobustifyResult polished = null;
            for (int k = 0; k < modes.length; k++) {
                CountingClassifier counting = new CountingClassifier(f);
                RobustifyResult r = Robustifier.of(b.optFast(modes[k]).build()).robustify(counting, x0, y);
                assertThat(counting.images()).as("mode %d", k).isEqualTo(expected[k] * n);
                assertThat(java.util.Arrays.stream(r.passes()).sum()).isEqualTo(counting.images());
                for (int i = 0; i < n; i++) {
                    assertThat(r.passes()[i]).isEqualTo(expected[k]);
                    assertThat(r.outerSteps()[i]).isEqualTo(30);
                }
                plain = k == 1 ? r : plain;
                polished = k == 2 ? r : polished;
            }
            // the first 26 steps are the same computation; only the polish moves the images differently
            assertThat(polished.images().sub(plain.images()).abs().max().getFloat()).isGreaterThan(0f);
        });
    }

    /**
     * With checks, images that exit stop costing passes: the images the model really sees fall below those of
     * the same run without exits, and every pass the result reports was a real pass through the model.
     */
    @Test
    void exitsSaveRealPassesAndReportExactlyThePassesMade() {
        onMixedBatch(6, 0.2f, (m, f, x0) -> {
            NDArray y = f.predict(x0);
            CountingClassifier never = new CountingClassifier(f);
            Robustifier.of(fastConfig(Norm.LINF).toBuilder().optFast(new FastMode(3, 2, 1e-30, 0, 0)).build())
                    .robustify(never, x0, y);
            CountingClassifier counting = new CountingClassifier(f);
            RobustifyResult r = Robustifier.of(fastConfig(Norm.LINF)).robustify(counting, x0, y);
            long reported = java.util.Arrays.stream(r.passes()).sum();
            assertThat(java.util.Arrays.stream(r.outerSteps()).filter(t -> t < 30).count()).isGreaterThan(0);
            assertThat(counting.images()).isLessThan(never.images());
            assertThat(reported).isEqualTo(counting.images());
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
