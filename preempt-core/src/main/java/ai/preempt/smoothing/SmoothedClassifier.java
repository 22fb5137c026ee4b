package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import java.util.Locale;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.AlternativeHypothesis;
import org.apache.commons.math3.stat.inference.BinomialTest;

/**
 * The smoothed classifier g(x) = argmax_c P[f(x + η) = c], η ~ N(0, σ²I), of Cohen, Rosenfeld &amp; Kolter
 * (2019), with their Monte Carlo procedures PREDICT (with abstention) and CERTIFY (a certified L2 radius).
 *
 * <p>Noise is drawn in batches of at most {@link Builder#optNoiseBatch} noisy images per forward pass of
 * the base classifier f. Each call draws from a stream determined by the seed and the image's exact pixel
 * values, so results do not depend on the order images are processed in. Quantiles come from Apache
 * Commons Math. The base classifier is not owned: closing it is the caller's business.
 */
public final class SmoothedClassifier {

    /** The label PREDICT and CERTIFY return when they abstain. */
    public static final int ABSTAIN = -1;

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private final Classifier base;
    private final double sigma;
    private final int n0;
    private final int n;
    private final double alpha;
    private final int noiseBatch;
    private final long seed;

    private SmoothedClassifier(Builder b) {
        this.base = b.base;
        this.sigma = b.sigma;
        this.n0 = b.n0;
        this.n = b.n;
        this.alpha = b.alpha;
        this.noiseBatch = b.noiseBatch;
        this.seed = b.seed;
    }

    /** @return a builder; {@link Builder#setBase} and {@link Builder#setSigma} are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the base classifier f */
    public Classifier base() {
        return base;
    }

    /** @return the noise level σ */
    public double sigma() {
        return sigma;
    }

    /** @return the selection sample count n0 */
    public int n0() {
        return n0;
    }

    /** @return the estimation sample count n (also PREDICT's sample count) */
    public int n() {
        return n;
    }

    /** @return the failure probability α */
    public double alpha() {
        return alpha;
    }

    /** @return the most noisy images per forward pass */
    public int noiseBatch() {
        return noiseBatch;
    }

    /**
     * Counts the base classifier's labels on Gaussian copies of one image.
     *
     * @param image C×H×W or 1×C×H×W in [0,1]
     * @param samples number of noisy copies
     * @param rng the noise stream
     * @return counts per class (length numClasses)
     */
    public long[] sampleCounts(NDArray image, int samples, Rng rng) {
        return PreemptEngine.call(() -> Noise.counts(base, single(image), sigma, samples, noiseBatch, rng)[0]);
    }

    /**
     * Cohen et al.'s PREDICT: draws n samples and returns the top class unless a two-sided binomial test
     * of the top two counts against p = ½ has p-value above α.
     *
     * @param image C×H×W or 1×C×H×W in [0,1]
     * @return the predicted class or {@link #ABSTAIN}
     */
    public int predict(NDArray image) {
        long[] counts = sampleCounts(image, n, streamFor(image));
        int top = Noise.argMax(counts);
        long second = 0;
        for (int c = 0; c < counts.length; c++) {
            if (c != top) {
                second = Math.max(second, counts[c]);
            }
        }
        long nA = counts[top];
        double p = new BinomialTest().binomialTest(Math.toIntExact(nA + second), Math.toIntExact(nA), 0.5,
                AlternativeHypothesis.TWO_SIDED);
        return p > alpha ? ABSTAIN : top;
    }

    /**
     * Cohen et al.'s CERTIFY: selects the top class c_A with n0 samples, counts it among n fresh samples,
     * bounds p_A from below (one-sided Clopper–Pearson at level α) and returns radius σ·Φ⁻¹(p_A), or abstains
     * when the bound is below ½.
     *
     * @param image C×H×W or 1×C×H×W in [0,1]
     * @return the certificate
     */
    public Certificate certify(NDArray image) {
        Rng rng = streamFor(image);
        int cA = Noise.argMax(sampleCounts(image, n0, rng.split()));
        long nA = sampleCounts(image, n, rng.split())[cA];
        double pA = lowerConfidenceBound(nA, n, alpha);
        if (pA < 0.5) {
            return new Certificate(ABSTAIN, 0, pA, nA, n);
        }
        return new Certificate(cA, radius(sigma, pA), pA, nA, n);
    }

    /**
     * The exact one-sided Clopper–Pearson lower confidence bound on a binomial proportion: the α quantile
     * of Beta(k, n − k + 1), and 0 when k = 0.
     *
     * @param k successes, 0 ≤ k ≤ n
     * @param trials n ≥ 1
     * @param alpha the bound holds with probability at least 1 − α
     */
    public static double lowerConfidenceBound(long k, long trials, double alpha) {
        if (trials < 1 || k < 0 || k > trials) {
            throw new IllegalArgumentException("need 0 <= k <= n and n >= 1, got k=" + k + ", n=" + trials);
        }
        if (k == 0) {
            return 0;
        }
        return new BetaDistribution(null, k, trials - k + 1, 1e-14).inverseCumulativeProbability(alpha);
    }

    /** @return the certified L2 radius σ·Φ⁻¹(p) of a top-class probability lower bound p */
    public static double radius(double sigma, double pLower) {
        return sigma * STANDARD_NORMAL.inverseCumulativeProbability(pLower);
    }

    private Rng streamFor(NDArray image) {
        return Rng.forKey(seed, PreemptEngine.call(() -> Noise.key(image)));
    }

    private NDArray single(NDArray image) {
        Shape s = image.getShape();
        Shape want = base.inputShape();
        boolean ok = s.dimension() == 3 ? s.equals(want)
                : s.dimension() == 4 && s.get(0) == 1 && s.slice(1).equals(want);
        if (!ok) {
            throw new IllegalArgumentException("expected one image of shape " + want + ", got " + s);
        }
        return s.dimension() == 3 ? image.expandDims(0) : image;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Smoothed(%s, sigma=%s, n0=%d, n=%d, alpha=%s, noise batch=%d, seed=%d)",
                base.name(), sigma, n0, n, alpha, noiseBatch, seed);
    }

    /** Builder with Cohen et al.'s defaults: n0 = 100, n = 100,000, α = 0.001; noise batch 400, seed 0. */
    public static final class Builder extends NoiseBuilder<Builder> {
        private int n0 = 100;
        private int n = 100_000;
        private double alpha = 0.001;
        private int noiseBatch = 400;

        @Override
        Builder self() {
            return this;
        }

        /** Selection samples n0 (default 100). */
        public Builder optN0(int v) {
            this.n0 = v;
            return this;
        }

        /** Estimation samples n (default 100,000); also PREDICT's sample count. */
        public Builder optN(int v) {
            this.n = v;
            return this;
        }

        /** Failure probability α in (0, 1) (default 0.001). */
        public Builder optAlpha(double a) {
            this.alpha = a;
            return this;
        }

        /** Most noisy images per forward pass (default 400). */
        public Builder optNoiseBatch(int b) {
            this.noiseBatch = b;
            return this;
        }

        /**
         * Checks every setting except the base classifier, so callers can reject bad input before loading a
         * model; {@link #build} runs the same checks.
         *
         * @throws IllegalArgumentException with one sentence naming the bad setting
         */
        public Builder validate() {
            Noise.checkSigma(sigma);
            if (n < 1) {
                throw new IllegalArgumentException("--samples (n) must be at least 1, got " + n);
            }
            if (n0 < 1) {
                throw new IllegalArgumentException("--n0 must be at least 1, got " + n0);
            }
            if (n0 > n) {
                throw new IllegalArgumentException("--n0 (" + n0 + ") must not exceed --samples (" + n + ")");
            }
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("--alpha must lie in (0, 1), got " + alpha);
            }
            if (noiseBatch < 1) {
                throw new IllegalArgumentException("--noise-batch must be at least 1, got " + noiseBatch);
            }
            return this;
        }

        /** @return the smoothed classifier */
        public SmoothedClassifier build() {
            validate();
            Noise.checkBase(base);
            return new SmoothedClassifier(this);
        }
    }
}
