package ai.preempt.cli;

import ai.preempt.smoothing.SmoothedClassifier;
import picocli.CommandLine.Option;

/** The settings of Cohen et al.'s smoothed classifier: σ, n0, n, α, noise batch. */
final class SmoothingOptions {

    @Option(names = "--sigma", defaultValue = "0.25", description = "Gaussian noise level sigma (default: ${DEFAULT-VALUE}).")
    double sigma;

    @Option(names = "--samples", defaultValue = "100000", description = "Estimation samples n per image (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--n0", defaultValue = "100", description = "Selection samples n0 per image (default: ${DEFAULT-VALUE}).")
    int n0;

    @Option(names = "--alpha", defaultValue = "0.001", description = "Failure probability alpha (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--noise-batch", defaultValue = "400", description = "Noisy images per forward pass (default: ${DEFAULT-VALUE}).")
    int noiseBatch;

    /** @return a validated builder without base classifier, so bad settings fail before anything loads */
    SmoothedClassifier.Builder builder(long seed) {
        return SmoothedClassifier.builder().setSigma(sigma).optN(samples).optN0(n0).optAlpha(alpha)
                .optNoiseBatch(noiseBatch).optSeed(seed).validate();
    }
}
