package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.RandomStart;

/**
 * Algorithm 3, the adaptive adversary's reconstruction: knowing the algorithm and its settings but not
 * x_o, start exactly at x_s, take ŷ_s = argmax f(x_s), and run the same T, K, α, β optimisation but
 * <em>ascending</em> the robust loss inside B_δ(x_s). The result x_rec estimates x_o.
 */
public final class Reconstructor {

    private final OuterLoop loop;

    /** @param cfg the robustification settings the adversary assumes (the defender's own) */
    public Reconstructor(RobustifyConfig cfg) {
        // the adversary runs the full T steps: early exit is a defender's shortcut and would stop an ascent
        RobustifyConfig c = cfg.toBuilder().optOuterStart(RandomStart.NONE).optFast(null).optFastest(null).build();
        this.loop = c.norm() == Norm.LINF ? new LinfRobustifier(c, true) : new L2Robustifier(c, true);
    }

    /**
     * @param f the classifier
     * @param xs robustified images as intercepted
     * @return x_rec, inside B_δ(x_s) ∩ [0,1]
     */
    public NDArray reconstruct(Classifier f, NDArray xs) {
        return loop.robustify(f, xs, null).images();
    }
}
