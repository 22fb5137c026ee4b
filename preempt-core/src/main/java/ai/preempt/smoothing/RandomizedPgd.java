package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;
import java.util.Locale;

/**
 * Randomized PGD (Salman et al. 2019): L2 PGD on the cross-entropy of the smoothed soft classifier G of the
 * classifier passed to {@link #perturb}, whose gradient at each step is estimated from m fresh Gaussian
 * samples ({@link Builder#optSamples}). Steps, step size, random start and restarts are {@link Pgd}'s, which
 * runs the iterations: every point stays in B_ε(x) ∩ [0,1].
 *
 * <p>{@code perturb(f, x, y)} takes the <em>base</em> classifier f. Success is judged by the smoothed
 * prediction of the reference: the majority vote of f's labels over m fresh noise samples at the end point
 * ({@link SoftSmoothedClassifier#predict}); an image is robust only if every restart fails. Each gradient
 * step pushes N·m images through f with autograd on: size batches accordingly.
 */
public final class RandomizedPgd implements Attack {

    private final Pgd pgd;
    private final double sigma;
    private final int samples;
    private final long seed;

    private RandomizedPgd(Builder b) {
        this.sigma = b.sigma;
        this.samples = b.samples;
        this.seed = b.seed;
        Pgd.Builder p = Pgd.builder().setThreat(b.threat).optSteps(b.steps).optRestarts(b.restarts)
                .optRandomStart(b.start).optSeed(b.seed);
        if (!Double.isNaN(b.stepSize)) {
            p.optStepSize(b.stepSize);
        }
        this.pgd = p.build();
    }

    /** @return a builder; {@link Builder#setThreat} (L2) and {@link Builder#setSigma} are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc} Here {@code f} is the base classifier; the noise stream is derived from the seed and
     * the batch's pixel values, so a batch gives the same result whatever was attacked before it.
     */
    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            Rng rng = Rng.forKey(seed, Noise.key(x));
            SoftSmoothedClassifier g = new SoftSmoothedClassifier(f, sigma, samples, seed, rng);
            return pgd.perturb(g, x, y);
        });
    }

    @Override
    public ThreatModel threat() {
        return pgd.threat();
    }

    @Override
    public String name() {
        return "randomized-pgd";
    }

    /** @return the noise level σ */
    public double sigma() {
        return sigma;
    }

    /** @return noise samples per step (and per success vote) m */
    public int samples() {
        return samples;
    }

    /** @return the PGD iteration settings (steps, step size, start, restarts) */
    public Pgd pgd() {
        return pgd;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RandomizedPGD(%s, sigma=%s, samples=%d, steps=%d, alpha=%.5f, start=%s, "
                + "restarts=%d, seed=%d)", pgd.threat().describe(), sigma, samples, pgd.steps(), pgd.stepSize(),
                pgd.randomStart().name().toLowerCase(Locale.ROOT), pgd.restarts(), seed);
    }

    /**
     * Builder with the paper's evaluation settings: 20 steps of size ε/4, m = 50 samples per step, the
     * reference random start, one run (PGD-10 is {@code optRestarts(10)}), seed 0.
     */
    public static final class Builder {
        private ThreatModel threat;
        private double sigma = Double.NaN;
        private int samples = 50;
        private int steps = 20;
        private double stepSize = Double.NaN;
        private RandomStart start = RandomStart.SPHERE;
        private int restarts = 1;
        private long seed;

        /** Required: an L2 ball. */
        public Builder setThreat(ThreatModel t) {
            if (t != null && t.norm() != Norm.L2) {
                throw new IllegalArgumentException("randomized PGD attacks in an L2 ball, got " + t.describe());
            }
            this.threat = t;
            return this;
        }

        /** Required: the smoothing noise level σ &gt; 0. */
        public Builder setSigma(double s) {
            this.sigma = Noise.checkSigma(s);
            return this;
        }

        /** Noise samples per step m (default 50; the paper uses 5 inside robustification). */
        public Builder optSamples(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("--samples must be at least 1, got " + m);
            }
            this.samples = m;
            return this;
        }

        /** Steps K (default 20). */
        public Builder optSteps(int k) {
            this.steps = k;
            return this;
        }

        /** Step size (default ε/4). */
        public Builder optStepSize(double a) {
            this.stepSize = a;
            return this;
        }

        /** Random start mode (default the reference's, on the sphere). */
        public Builder optRandomStart(RandomStart s) {
            this.start = s;
            return this;
        }

        /** Restarts (default 1; 10 for PGD-10). */
        public Builder optRestarts(int r) {
            this.restarts = r;
            return this;
        }

        /** Seed of the random starts and the noise (default 0). */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /** @return the attack */
        public RandomizedPgd build() {
            if (threat == null) {
                throw new IllegalStateException("randomized PGD needs a threat model");
            }
            if (Double.isNaN(sigma)) {
                throw new IllegalStateException("randomized PGD needs a noise level sigma");
            }
            return new RandomizedPgd(this);
        }
    }
}
