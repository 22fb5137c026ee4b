package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Rng;
import ai.preempt.model.BatchSeeded;
import ai.preempt.model.Classifier;
import ai.preempt.model.DelegatingClassifier;
import java.util.Locale;

/**
 * The smoothed soft classifier G(x) = E[softmax(f(x + η))], η ~ N(0, σ²I), of Salman et al. (2019),
 * estimated with m Gaussian samples per call and usable anywhere a {@link Classifier} is.
 *
 * <p>{@link #logits} returns log of the sample mean of the softmax, so the cross-entropy on it is
 * −log E[softmax_y] and its input gradient (through {@link ai.preempt.engine.Gradients#of}) is the
 * randomized-PGD gradient. {@link #predict} is the smoothed prediction g(x) of the reference: a majority vote
 * of f's labels over m fresh samples (ties go to the lower class), not argmax G.
 *
 * <p>Every call draws fresh noise from one seeded stream, so a given sequence of calls is reproducible;
 * {@link #seededFor} gives a view whose stream starts from the seed and a batch's content instead.
 * One forward pass carries N·m images: choose the batch size with that in mind. The base classifier is not
 * owned; {@link #close} does nothing.
 */
public final class SoftSmoothedClassifier extends DelegatingClassifier implements BatchSeeded {

    /** Probabilities are floored here before the log, so a class no sample votes for stays finite. */
    private static final float FLOOR = 1e-20f;

    private final double sigma;
    private final int samples;
    private final long seed;
    private final Rng rng;

    SoftSmoothedClassifier(Classifier base, double sigma, int samples, long seed, Rng rng) {
        super(Noise.checkBase(base));
        Noise.checkSigma(sigma);
        if (samples < 1) {
            throw new IllegalArgumentException("the number of noise samples must be at least 1, got " + samples);
        }
        this.sigma = sigma;
        this.samples = samples;
        this.seed = seed;
        this.rng = rng;
    }

    /** @return a builder; {@link Builder#setBase} and {@link Builder#setSigma} are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the base classifier f */
    public Classifier base() {
        return inner();
    }

    /** @return the noise level σ */
    public double sigma() {
        return sigma;
    }

    /** @return noise samples per call m */
    public int samples() {
        return samples;
    }

    /** @return log of the mean softmax of f over m noisy copies of each image (N×K) */
    @Override
    public NDArray logits(NDArray images) {
        long n = images.getShape().get(0);
        NDArray probs = inner().logits(Noise.noisy(images, samples, sigma, rng, null)).softmax(1);
        return probs.reshape(samples, n, -1).mean(new int[] {0}).clip(FLOOR, 1).log(); // clip: a Number operand of maximum() breaks autograd (engine.Ops)
    }

    /** @return g(x): the majority vote of f's labels over m noisy copies of each image (int64, N) */
    @Override
    public NDArray predict(NDArray images) {
        int n = Math.toIntExact(images.getShape().get(0));
        long[][] counts = Noise.counts(inner(), images, sigma, samples, samples * n, rng);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = Noise.argMax(counts[i]);
        }
        return images.getManager().create(out);
    }

    @Override
    public String name() {
        return inner().name() + " smoothed";
    }

    /** @return this smoothed classifier with its noise stream derived from the seed and {@code batch}'s pixels */
    @Override
    public SoftSmoothedClassifier seededFor(NDArray batch) {
        return new SoftSmoothedClassifier(inner(), sigma, samples, seed, Rng.forKey(seed, Noise.key(batch)));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SoftSmoothed(%s, sigma=%s, samples=%d, seed=%d)", inner().name(), sigma,
                samples, seed);
    }

    /** Builder: m = 50 samples per call (the paper's evaluation; it uses 5 inside robustification), seed 0. */
    public static final class Builder extends NoiseBuilder<Builder> {
        private int samples = 50;

        @Override
        Builder self() {
            return this;
        }

        /** Noise samples per call m (default 50). */
        public Builder optSamples(int m) {
            this.samples = m;
            return this;
        }

        /** @return the classifier */
        public SoftSmoothedClassifier build() {
            return new SoftSmoothedClassifier(base, sigma, samples, seed, new Rng(seed));
        }
    }
}
