package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Robustification against several server views ({@link ServerViews}, e.g. lossless and after a JPEG re-encode)
 * protects through every view: the robust loss covers each view with its own inner attack, and the fast modes'
 * exit checks let an image out only when no view's check fools it. The two views here are linear models that
 * look at disjoint halves of the pixels, so what protects an image through one leaves the other untouched.
 */
class ServerViewsRobustifyTest {

    private static final ThreatModel EPS = ThreatModel.of(Norm.LINF, 8 / 255.0);
    private static final int D = 48;

    /** View A looks at the first half of the 48 values, view B at the second; logit₁ − logit₀ = v·x. */
    private static float[][] disjointDirections(long seed) {
        Rng rng = new Rng(seed);
        float[][] v = new float[2][D];
        for (int i = 0; i < D; i++) {
            v[i < D / 2 ? 0 : 1][i] = (float) (rng.nextDouble() - 0.5);
        }
        return v;
    }

    private static LinearClassifier linear(NDManager m, float[] v) {
        return new LinearClassifier(m, new float[][] {new float[D], v}, new float[2], new Shape(3, 4, 4));
    }

    /**
     * @return n 8-bit images in [0.3, 0.7] moved so that v_k·x ≈ margin[k]·ε‖v_k‖₁ for both views k (each move
     *     only touches its view's half); PGD-ε fools view k exactly when margin[k] &lt; 1
     */
    private static NDArray images(NDManager m, float[][] v, int n, double... margin) {
        float[] x = new Rng(12).uniform(m, new Shape(n, 3, 4, 4), 0.3, 0.7).toFloatArray();
        for (int img = 0; img < n; img++) {
            for (int k = 0; k < 2; k++) {
                double dot = 0;
                double l1 = 0;
                double l2sq = 0;
                for (int j = 0; j < D; j++) {
                    dot += v[k][j] * x[img * D + j];
                    l1 += Math.abs(v[k][j]);
                    l2sq += v[k][j] * v[k][j];
                }
                double c = (margin[k] * EPS.eps() * l1 - dot) / l2sq;
                for (int j = 0; j < D; j++) {
                    x[img * D + j] += (float) (c * v[k][j]);
                }
            }
        }
        return m.create(x, new Shape(n, 3, 4, 4)).mul(255).round().div(255);
    }

    private static int fooled(Classifier f, NDArray x, NDArray y) {
        return Pgd.builder().setThreat(EPS).optSteps(10).optRestarts(2).optSeed(3).build().perturb(f, x, y).successes();
    }

    /**
     * Images both views label 1 but PGD fools through both; robustified against both views, PGD fools them
     * through neither (same seed → same bytes, T·2·(K+1) passes per image). Robustified against view B alone
     * (what --survive did before: the JPEG pipeline only), every image stays fooled through A.
     */
    @Test
    void robustifyingAgainstBothViewsProtectsThroughBothAndOneViewDoesNot() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                float[][] v = disjointDirections(7);
                LinearClassifier a = linear(m, v[0]);
                LinearClassifier b = linear(m, v[1]);
                NDArray x0 = images(m, v, 4, 0.3, 0.3);
                NDArray y = m.create(new long[] {1, 1, 1, 1});
                assertThat(a.predict(x0).toLongArray()).containsOnly(1L);
                assertThat(b.predict(x0).toLongArray()).containsOnly(1L);
                assertThat(fooled(a, x0, y)).as("originals through A").isEqualTo(4);
                assertThat(fooled(b, x0, y)).as("originals through B").isEqualTo(4);
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, EPS.eps()).optOuterSteps(10).optInnerSteps(5)
                        .optSeed(2).build();
                ServerViews both = ServerViews.of(List.of(a, b));
                RobustifyResult r = Robustifier.of(cfg).robustify(both, x0, null);
                NDArray xs = Quantizer.quantize(x0, r.images(), EPS.withEps(cfg.delta()));
                assertThat(fooled(a, xs, y)).as("robustified for both, through A").isZero();
                assertThat(fooled(b, xs, y)).as("robustified for both, through B").isZero();
                // T·2 views·(K + 1), then the primary's check on the result: 2 restarts of K + 1 (PrimaryFallback)
                assertThat(r.passes()).containsOnly(10L * 2 * (5 + 1) + 2 * (5 + 1));
                assertThat(r.outerSteps()).as("no image needed a rerun").containsOnly(10);
                assertThat(Robustifier.of(cfg).robustify(both, x0, null).images().toFloatArray())
                        .as("same seed, same bytes").containsExactly(r.images().toFloatArray());
                NDArray onlyB = Quantizer.quantize(x0, Robustifier.of(cfg).robustify(b, x0, null).images(),
                        EPS.withEps(cfg.delta()));
                assertThat(fooled(b, onlyB, y)).as("robustified for B only, through B").isZero();
                assertThat(fooled(a, onlyB, y)).as("robustified for B only, through A").isEqualTo(4);
            }
        });
    }

    /**
     * Two servers that disagree: B's logits are A's negated, so descending the views' mean pulls an image that A
     * labels 1 toward A's boundary (B's larger loss wins the tug of war) and leaves it fooled through A. Each such
     * image is robustified again for A alone and leaves as exactly what robustifying for A alone gives (same
     * bytes), robust through A; its passes and steps add both runs and the checks.
     */
    @ParameterizedTest
    @ValueSource(strings = {"default", "fast", "fastest"})
    void anImageTheViewsMeanLeavesFooledThroughThePrimaryIsRobustifiedAgainForThePrimaryAlone(String mode) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier a = opposed(m);
                LinearClassifier b = a.scaled(-1f);
                NDArray x0 = images(m, disjointDirections(9), 4, 0.6, 0.6);
                NDArray y = m.create(new long[] {1, 1, 1, 1});
                assertThat(a.predict(x0).toLongArray()).containsOnly(1L);
                assertThat(fooled(a, x0, y)).as("originals through A").isEqualTo(4);
                RobustifyConfig.Builder c = RobustifyConfig.builder(Norm.LINF, EPS.eps()).optOuterSteps(10)
                        .optInnerSteps(5).optSeed(2);
                RobustifyConfig cfg = switch (mode) {
                    case "fast" -> c.optFast(FastMode.DEFAULT).build();
                    case "fastest" -> c.optFastest(FastestMode.parse("")).build();
                    default -> c.build();
                };
                RobustifyResult r = Robustifier.of(cfg).robustify(ServerViews.of(List.of(a, b)), x0, null);
                RobustifyResult alone = Robustifier.of(cfg).robustify(a, x0, null);
                assertThat(r.images().toFloatArray()).as("A alone's images").containsExactly(alone.images().toFloatArray());
                NDArray xs = Quantizer.quantize(x0, r.images(), EPS.withEps(cfg.delta()));
                assertThat(fooled(a, xs, y)).as("through A").isZero();
                for (int i = 0; i < 4; i++) {
                    // the mean's T steps (never an exit: no image is robust through both), one check restart that
                    // fools it, A alone's run and the check passing it (2 restarts); the fastest mode's own
                    // passes (warm start, cheap inner attack, confirmations) are its tests' business
                    assertThat(r.outerSteps()[i]).isEqualTo(10 + alone.outerSteps()[i]);
                    if (cfg.fastest() == null) {
                        assertThat(r.passes()[i]).isEqualTo(10L * 2 * 6 + 6 + alone.passes()[i] + 2 * 6);
                    } else {
                        assertThat(r.passes()[i]).isGreaterThan(10L * 2 + 6 + alone.passes()[i] + 2 * 6);
                    }
                }
            }
        });
    }

    /** @return view A of the disagreeing servers: a linear model over all 48 values (its B is A negated) */
    private static LinearClassifier opposed(NDManager m) {
        float[][] v = disjointDirections(9);
        float[] both = new float[D];
        for (int j = 0; j < D; j++) {
            both[j] = v[0][j] + v[1][j];
        }
        return linear(m, both);
    }

    /**
     * An image dropped (its client left) while it waits for its rerun for the primary is never handed out; the
     * others leave as robustifying for the primary alone gives them, and the stream empties.
     */
    @Test
    void anImageDroppedWhileItsPrimaryRerunRunsIsNeverHandedOut() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier a = opposed(m);
                NDArray x0 = images(m, disjointDirections(9), 4, 0.6, 0.6);
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, EPS.eps()).optOuterSteps(10)
                        .optInnerSteps(5).optSeed(2).build();
                float[] alone = Robustifier.of(cfg).robustify(a, x0, null).images().toFloatArray();
                Map<Long, float[]> out = new TreeMap<>();
                try (RobustifyStream stream = Robustifier.of(cfg).open(ServerViews.of(List.of(a, a.scaled(-1f))), m)) {
                    long[] ids = stream.admit(x0, null);
                    for (int t = 0; t < 10; t++) {
                        assertThat(stream.step()).as("step %d: every image waits for its rerun", t).isEmpty();
                    }
                    assertThat(stream.size()).as("all four rerun").isEqualTo(4);
                    assertThat(stream.drop(ids[1])).isTrue();
                    while (!stream.isEmpty()) {
                        for (RobustifyStream.Finished d : stream.step()) {
                            out.put(d.id(), d.image().toFloatArray());
                            d.image().close();
                        }
                    }
                    assertThat(out.keySet()).containsExactly(ids[0], ids[2], ids[3]);
                    int per = alone.length / 4;
                    for (int i : new int[] {0, 2, 3}) {
                        assertThat(out.get(ids[i])).containsExactly(Arrays.copyOfRange(alone, i * per, (i + 1) * per));
                    }
                }
            }
        });
    }

    /**
     * The whole-batch path (the fastest mode) checks only the images that took all T steps — never one that a
     * confirmation let out, even at step T — and reruns for the primary only those the check fools.
     */
    @Test
    void theBatchPathRerunsOnlyImagesThatRanAllStepsAndAreFooledThroughThePrimary() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier a = opposed(m);
                NDArray x0 = images(m, disjointDirections(9), 4, 0.6, 0.6); // fooled through A as they are
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, EPS.eps()).optOuterSteps(10)
                        .optInnerSteps(5).optSeed(2).build();
                RobustifyResult first = new RobustifyResult(x0.duplicate(), new long[] {1, 1, 1, 1}, new float[4],
                        new long[] {10, 10, 10, 10}, new int[] {10, 10, 10, 10});
                List<Integer> rerunRows = new ArrayList<>();
                RobustifyResult r = new PrimaryFallback((OuterLoop) Robustifier.of(cfg),
                        ServerViews.of(List.of(a, a.scaled(-1f))), m).batch(first, new boolean[] {false, true, false, true},
                        x0, (xs, ys) -> {
                            rerunRows.add((int) xs.getShape().get(0));
                            return Robustifier.of(cfg).robustify(a, xs, ys);
                        });
                assertThat(rerunRows).as("one rerun, of the two images that ran all steps").containsExactly(2);
                float[] alone = Robustifier.of(cfg).robustify(a, x0, null).images().toFloatArray();
                float[] got = r.images().toFloatArray();
                float[] orig = x0.toFloatArray();
                int per = D;
                for (int i = 0; i < 4; i++) {
                    float[] want = Arrays.copyOfRange(i % 2 == 1 ? alone : orig, i * per, (i + 1) * per);
                    assertThat(Arrays.copyOfRange(got, i * per, (i + 1) * per)).as("image %d", i).containsExactly(want);
                }
                assertThat(r.passes()[0]).isEqualTo(10);
                assertThat(r.passes()[1]).isGreaterThan(10 + 10L * 6);
            }
        });
    }

    /** An exit check under test (the fastest mode's or fast mode's). */
    private interface Check {
        /** @return per image: the check let it exit */
        boolean[] exits(Classifier f, NDArray q, NDArray y);
    }

    /**
     * Images robust through A with a tiny loss there (margin 2ε‖v_A‖₁, steep logits) but fooled through B
     * (margin 0.3ε‖v_B‖₁): a check through A alone lets them all out, through A and B (either order) none.
     */
    private static void exitNeedsEveryView(Check check) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                float[][] v = disjointDirections(8);
                LinearClassifier a = linear(m, v[0]).scaled(60f);
                LinearClassifier b = linear(m, v[1]).scaled(60f);
                NDArray q = images(m, v, 4, 2.0, 0.3);
                NDArray y = m.create(new long[] {1, 1, 1, 1});
                assertThat(check.exits(a, q, y)).as("through A alone").containsOnly(true);
                assertThat(check.exits(ServerViews.of(List.of(a, b)), q, y)).as("through A and B").containsOnly(false);
                assertThat(check.exits(ServerViews.of(List.of(b, a)), q, y)).as("through B and A").containsOnly(false);
            }
        });
    }

    private static RobustifyConfig.Builder config() {
        return RobustifyConfig.builder(Norm.LINF, EPS.eps()).optOuterSteps(30).optInnerSteps(5).optSeed(4);
    }

    @Test
    void fastestModesConfirmationLetsAnImageOutOnlyWhenNoViewFoolsIt() {
        RobustifyConfig cfg = config().build();
        exitNeedsEveryView((f, q, y) -> new ConfirmCheck(cfg, 2, 0.8 * Math.log(2))
                .confirm(f, q, y, ImageRngs.of(cfg.seed(), q)).exit());
    }

    @Test
    void fastModesEarlyExitLetsAnImageOutOnlyWhenNoViewFoolsIt() {
        RobustifyConfig cfg = config().optFast(FastMode.DEFAULT).build();
        exitNeedsEveryView((f, q, y) -> {
            int n = (int) q.getShape().get(0);
            List<Progress> rows = IntStream.range(0, n).mapToObj(i -> new Progress(i, 1, 0)).toList();
            EarlyExit early = new EarlyExit(cfg, new RobustLoss(cfg));
            int[] all = IntStream.range(0, n).toArray();
            return early.check(f, () -> q, q, y, EPS.withEps(cfg.delta()), rows,
                    List.of(new EarlyExit.Group(all, Rng.forImages(cfg.seed(), q))), new int[n]);
        });
    }
}
