package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
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

    /**
     * @param base the base classifier f
     * @param sigma the smoothing noise level σ
     * @param eps the L2 budget (δ = ε)
     * @param outerSteps T
     * @param samples m, noise samples of G per forward pass (5 in the paper)
     * @param seed seeds noise and random starts
     */
    public SmoothedRobustifier(Classifier base, double sigma, double eps, int outerSteps, int samples, long seed) {
        this(base, sigma, eps, outerSteps, samples, seed, L2Step.RAW, RAW_LR);
    }

    /**
     * As {@link #SmoothedRobustifier(Classifier, double, double, int, int, long)} with another L2 step rule.
     *
     * @param step the L2 update: {@link L2Step#RAW} (the paper's) or {@link L2Step#NORMALIZED} (scale-free)
     * @param lr its learning rate β (raw: 0.005 in the paper; normalized: the fraction of δ per step)
     */
    public SmoothedRobustifier(Classifier base, double sigma, double eps, int outerSteps, int samples, long seed,
            L2Step step, double lr) {
        this.soft = SoftSmoothedClassifier.builder().setBase(base).setSigma(sigma).optSamples(samples).optSeed(seed)
                .build();
        this.labeller = SoftSmoothedClassifier.builder().setBase(base).setSigma(sigma).optSamples(LABEL_SAMPLES)
                .optSeed(seed).build();
        this.cfg = RobustifyConfig.builder(Norm.L2, eps).optOuterSteps(outerSteps).optL2Step(step).optLr(lr)
                .optSeed(seed).build();
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
}
