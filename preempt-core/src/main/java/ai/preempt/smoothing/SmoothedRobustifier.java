package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.robustify.L2Step;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;

/**
 * Robustification of a smoothed classifier (Section 3.6): Algorithm 1 with the smoothed soft classifier G
 * (mean softmax over m Gaussian samples, m = 5) in place of f, the reference's raw L2 step with β = 0.005,
 * and the labels of the smoothed prediction g(x): the majority vote of {@value #LABEL_SAMPLES} noisy samples, as
 * the reference's smoothed classifier predicts. (A vote of the optimisation's 5 samples would pick a wrong label
 * for many images whose top class is not dominant, and robustification would then push them away from it.)
 * Results are rounded to 8 bits inside B_δ.
 */
public final class SmoothedRobustifier {

    /** Noise samples of the smoothed prediction that chooses the labels. */
    public static final int LABEL_SAMPLES = 50;

    /** The paper's raw-step learning rate for smoothed classifiers. */
    public static final double RAW_LR = 0.005;

    private final SoftSmoothedClassifier soft;
    private final SoftSmoothedClassifier labeller;
    private final RobustifyConfig cfg;

    private SmoothedRobustifier(Builder b) {
        this.soft = SoftSmoothedClassifier.builder().setBase(b.base).setSigma(b.sigma).optSamples(b.samples)
                .optSeed(b.seed).build();
        this.labeller = SoftSmoothedClassifier.builder().setBase(b.base).setSigma(b.sigma).optSamples(LABEL_SAMPLES)
                .optSeed(b.seed).build();
        this.cfg = RobustifyConfig.builder(Norm.L2, b.eps).optOuterSteps(b.outerSteps).optL2Step(b.step)
                .optLr(Double.isNaN(b.lr) ? defaultLr(b.step) : b.lr).optSeed(b.seed).build();
    }

    /**
     * @return a builder; {@link Builder#setBase}, {@link Builder#setSigma} and {@link Builder#setEps} are
     *     required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the learning rate of a step rule for smoothed classifiers: the paper's {@value #RAW_LR} for the raw
     *     step (not the 0.001 of plain classifiers), and the plain default for the scale-free step
     */
    public static double defaultLr(L2Step step) {
        return step == L2Step.RAW ? RAW_LR : RobustifyConfig.builder(Norm.L2, 1).optL2Step(step).build().lr();
    }

    /** @return the robustification settings */
    public RobustifyConfig config() {
        return cfg;
    }

    /** @return the robustified, 8-bit images of the batch {@code x0} (on the 8-bit grid) */
    public NDArray robustify(NDArray x0) {
        return PreemptEngine.call(() -> Scopes.keep(() -> {
            NDArray labels = labeller.predict(x0);
            NDArray xs = Robustifier.of(cfg).robustify(soft, x0, labels).images();
            return Quantizer.quantize(x0, xs, cfg.adversary().withEps(cfg.delta()));
        }));
    }

    /**
     * Builder: T = 100 outer steps, m = 5 noise samples per forward pass (the paper's), the paper's raw L2 step
     * with its learning rate for smoothed classifiers ({@link #defaultLr}), seed 0.
     */
    public static final class Builder extends NoiseBuilder<Builder> {
        private double eps = Double.NaN;
        private int outerSteps = 100;
        private int samples = 5;
        private L2Step step = L2Step.RAW;
        private double lr = Double.NaN;

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** Required: the L2 budget (δ = ε). */
        public Builder setEps(double v) { eps = v; return this; }
        /** T (default 100). */
        public Builder optOuterSteps(int v) { outerSteps = v; return this; }
        /** m, noise samples of G per forward pass (default 5, the paper's). */
        public Builder optSamples(int v) { samples = v; return this; }
        /** The L2 update (default {@link L2Step#RAW}, the paper's). */
        public Builder optL2Step(L2Step v) { step = v; return this; }
        /** β (default {@link #defaultLr} of the step rule). */
        public Builder optLr(double v) { lr = v; return this; }

        /** @return the robustifier */
        public SmoothedRobustifier build() {
            if (!(eps > 0)) {
                throw new IllegalArgumentException("the L2 budget must be positive, got " + eps);
            }
            if (step == null) {
                throw new IllegalArgumentException("the L2 step rule is null");
            }
            return new SmoothedRobustifier(this);
        }
    }
}
