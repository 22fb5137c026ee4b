package ai.preempt.smoothing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmoothedClassifierTest {

    @ParameterizedTest
    @CsvSource({"1, 0.05", "10, 0.001", "1000, 0.001", "100000, 0.001"})
    void clopperPearsonBoundWhenAllVotesAgreeIsAlphaToTheOneOverN(long n, double alpha) {
        assertThat(SmoothedClassifier.lowerConfidenceBound(n, n, alpha))
                .isCloseTo(Math.pow(alpha, 1.0 / n), Offset.offset(1e-12));
    }

    @Test
    void clopperPearsonBoundMatchesPublishedTableValue() {
        // the two-sided 95% Clopper–Pearson interval for 5 of 10 is (0.18709, 0.81291)
        assertThat(SmoothedClassifier.lowerConfidenceBound(5, 10, 0.025)).isCloseTo(0.187086, Offset.offset(1e-6));
        // and for 0 of n the lower bound is 0
        assertThat(SmoothedClassifier.lowerConfidenceBound(0, 10, 0.025)).isZero();
    }

    @ParameterizedTest
    @CsvSource({"1, 3", "7, 20", "60, 100", "99000, 100000", "99990, 100000"})
    void clopperPearsonBoundLeavesExactlyAlphaInTheUpperBinomialTail(int k, int n) {
        double alpha = 0.001;
        double p = SmoothedClassifier.lowerConfidenceBound(k, n, alpha);
        // the defining equation of the exact bound: P[Bin(n, p) >= k] = alpha
        double tail = 1 - new BinomialDistribution(null, n, p).cumulativeProbability(k - 1);
        assertThat(tail).isCloseTo(alpha, Offset.offset(alpha * 1e-6));
    }

    @Test
    void constantClassifierCertifiesTheClosedFormRadius() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SmoothedClassifier g = SmoothedClassifier.builder().setBase(SmoothingFixtures.constant(m, 3, 2))
                        .setSigma(0.25).optNoiseBatch(5000).build();
                Certificate c = g.certify(SmoothingFixtures.grey(m));
                assertThat(c.prediction()).isEqualTo(2);
                assertThat(c.countA()).isEqualTo(100_000);
                assertThat(c.pLower()).isCloseTo(Math.pow(0.001, 1e-5), Offset.offset(1e-12));
                // 0.25 · Φ⁻¹(0.001^(1/100000)), Φ⁻¹ from Python's statistics.NormalDist
                assertThat(c.radius()).isCloseTo(0.9528641408474784, Offset.offset(1e-6));
                assertThat(g.predict(SmoothingFixtures.grey(m))).isEqualTo(2);
            }
        });
    }

    @Test
    void fairCoinClassifierMakesPredictAndCertifyAbstain() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SmoothedClassifier g = SmoothedClassifier.builder().setBase(SmoothingFixtures.coin(m)).setSigma(0.25)
                        .optN(2000).optNoiseBatch(1000).build();
                NDArray x = SmoothingFixtures.grey(m);
                long[] counts = g.sampleCounts(x, 2000, new Rng(3));
                assertThat(counts[0] + counts[1]).isEqualTo(2000);
                assertThat(counts[0]).isBetween(900L, 1100L);
                assertThat(g.predict(x)).isEqualTo(SmoothedClassifier.ABSTAIN);
                Certificate c = g.certify(x);
                assertThat(c.abstained()).isTrue();
                assertThat(c.radius()).isZero();
                assertThat(c.pLower()).isLessThan(0.5);
            }
        });
    }

    @Test
    void sameSeedGivesSameRadiiWhateverTheOrderAndOtherSeedsGiveOtherNoise() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(1)) {
                NDArray x = new Rng(2).uniform(m, new Shape(2, 3, 32, 32), 0, 1);
                SmoothedClassifier.Builder b = SmoothedClassifier.builder().setBase(f).setSigma(0.5).optN0(20)
                        .optN(300).optNoiseBatch(128).optSeed(9);
                SmoothedClassifier g = b.build();
                Certificate a0 = g.certify(x.get(0));
                Certificate a1 = g.certify(x.get(1));
                SmoothedClassifier again = b.build();
                assertThat(again.certify(x.get(1))).isEqualTo(a1);
                assertThat(again.certify(x.get(0))).isEqualTo(a0);
                // the same image in 1×C×H×W form is the same input
                assertThat(g.certify(x.get("0:1"))).isEqualTo(a0);

                SmoothedClassifier coin = SmoothedClassifier.builder().setBase(SmoothingFixtures.coin(m))
                        .setSigma(0.25).optN(500).optSeed(1).build();
                SmoothedClassifier otherSeed = SmoothedClassifier.builder().setBase(SmoothingFixtures.coin(m))
                        .setSigma(0.25).optN(500).optSeed(2).build();
                NDArray grey = SmoothingFixtures.grey(m);
                assertThat(coin.certify(grey)).isEqualTo(coin.certify(grey));
                assertThat(coin.certify(grey).countA()).isNotEqualTo(otherSeed.certify(grey).countA());
            }
        });
    }

    @Test
    void votesDrawnAheadOnTheNoiseThreadEqualVotesOfNoiseDrawnInlineChunkByChunk() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(1)) {
                NDArray x = new Rng(4).uniform(m, new Shape(2, 3, 32, 32), 0, 1);
                int samples = 70;
                int batch = 40; // 20 copies of each image per pass: chunks of 20, 20, 20, 10
                long[][] pipelined = Noise.counts(f, x, 0.5, samples, batch, new Rng(11));
                long[][] inline = new long[2][f.numClasses()];
                Rng rng = new Rng(11);
                for (int done = 0; done < samples; done += 20) {
                    long[] labels = f.predict(Noise.noisy(x, Math.min(20, samples - done), 0.5, rng, null))
                            .toLongArray();
                    for (int j = 0; j < labels.length; j++) {
                        inline[j % 2][(int) labels[j]]++;
                    }
                }
                assertThat(pipelined).isEqualTo(inline);
                assertThat(pipelined[0]).matches(c -> java.util.Arrays.stream(c).sum() == samples);
            }
        });
    }

    @Test
    void badSettingsAreRejectedWithOneSentenceNamingTheOption() {
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(0).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sigma");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(-0.25).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sigma");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(Double.NaN).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sigma");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(0.25).optN0(200).optN(100).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--n0");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(0.25).optN(0).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--samples");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(0.25).optAlpha(1).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--alpha");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(0.25).optAlpha(0).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--alpha");
        assertThatThrownBy(() -> SmoothedClassifier.builder().setSigma(0.25).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void certifyRejectsABatchOfImages() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SmoothedClassifier g = SmoothedClassifier.builder().setBase(SmoothingFixtures.constant(m, 2, 0))
                        .setSigma(0.25).optN(10).optN0(10).build();
                assertThatThrownBy(() -> g.certify(m.zeros(new Shape(2, 3, 4, 4))))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one image");
            }
        });
    }
}
