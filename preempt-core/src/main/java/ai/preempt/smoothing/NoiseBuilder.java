package ai.preempt.smoothing;

import ai.preempt.model.Classifier;

/**
 * What every builder of a Gaussian-smoothed model takes: the base classifier f, the noise level σ and the seed of
 * the noise. Only this package's builders extend it.
 *
 * @param <B> the concrete builder, which every setter returns
 */
public abstract class NoiseBuilder<B extends NoiseBuilder<B>> {

    Classifier base;
    double sigma = Double.NaN;
    long seed;

    NoiseBuilder() {}

    /** Required: the base classifier f. */
    public B setBase(Classifier f) {
        this.base = f;
        return self();
    }

    /** Required: the noise level σ &gt; 0. */
    public B setSigma(double s) {
        this.sigma = s;
        return self();
    }

    /** Seed of the noise and of every other random choice (default 0). */
    public B optSeed(long s) {
        this.seed = s;
        return self();
    }

    /** @return this builder as its own type */
    abstract B self();
}
