package ai.preempt.smoothing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.Losses;
import org.junit.jupiter.api.Test;

class SoftSmoothedClassifierTest {

    private static LinearClassifier random(NDManager m, long seed) {
        Rng rng = new Rng(seed);
        float[][] w = new float[4][SmoothingFixtures.PIXELS];
        for (float[] row : w) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) rng.nextDouble() - 0.5f;
            }
        }
        return new LinearClassifier(m, w, new float[4], SmoothingFixtures.SHAPE);
    }

    @Test
    void logitsAreTheLogOfTheMeanSoftmaxOverTheNoiseSamples() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = random(m, 1);
                NDArray x = new Rng(2).uniform(m, new Shape(3, 3, 4, 4), 0, 1);
                int samples = 7;
                SoftSmoothedClassifier g = new SoftSmoothedClassifier(f, 0.3, samples, 0, new Rng(5));
                NDArray logits = g.logits(x);
                // replay the same noise stream by hand
                NDArray noisy = Noise.noisy(x, samples, 0.3, new Rng(5), null);
                NDArray expected = f.logits(noisy).softmax(1).reshape(samples, 3, 4).mean(new int[] {0}).log();
                assertThat(logits.getShape()).isEqualTo(new Shape(3, 4));
                assertThat(logits.sub(expected).abs().max().getFloat()).isLessThan(1e-6f);
                assertThat(logits.exp().sum(new int[] {1}).sub(1).abs().max().getFloat()).isLessThan(1e-5f);
            }
        });
    }

    @Test
    void withVanishingNoiseItIsTheBaseClassifiersSoftmaxAndItsGradient() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = random(m, 3);
                NDArray x = new Rng(4).uniform(m, new Shape(2, 3, 4, 4), 0, 1);
                NDArray y = m.create(new long[] {1, 3});
                Classifier g = SoftSmoothedClassifier.builder().setBase(f).setSigma(1e-7).optSamples(5).build();
                assertThat(g.logits(x).sub(f.logits(x).logSoftmax(1)).abs().max().getFloat()).isLessThan(1e-4f);
                Gradients.LossGrad viaG = Gradients.of(x, in -> Losses.crossEntropy(g.logits(in), y));
                Gradients.LossGrad viaF = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y));
                assertThat(viaG.grad().sub(viaF.grad()).abs().max().getFloat()).isLessThan(1e-4f);
                assertThat(g.predict(x).toLongArray()).isEqualTo(f.predict(x).toLongArray());
            }
        });
    }

    @Test
    void sameSeedGivesSameLogitsAndPredictIsTheMajorityVote() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = random(m, 6);
                NDArray x = new Rng(7).uniform(m, new Shape(2, 3, 4, 4), 0, 1);
                SoftSmoothedClassifier.Builder b = SoftSmoothedClassifier.builder().setBase(f).setSigma(0.5)
                        .optSamples(9).optSeed(3);
                NDArray a = b.build().logits(x);
                assertThat(a.sub(b.build().logits(x)).abs().max().getFloat()).isZero();
                assertThat(a.sub(b.optSeed(4).build().logits(x)).abs().max().getFloat()).isGreaterThan(0f);

                NDArray grey = SmoothingFixtures.grey(m);
                Classifier constant = SoftSmoothedClassifier.builder().setBase(SmoothingFixtures.constant(m, 3, 2))
                        .setSigma(0.5).optSamples(5).build();
                assertThat(constant.predict(grey).toLongArray()).containsExactly(2L);
                // first pixel 0.6 with noise 0.01: every noisy copy says class 1
                SoftSmoothedClassifier tilted = new SoftSmoothedClassifier(SmoothingFixtures.coin(m), 0.01, 50, 0,
                        new Rng(1));
                assertThat(tilted.predict(grey.add(0.1f)).toLongArray()).containsExactly(1L);
            }
        });
    }
}
