package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.threat.ThreatModel;

/**
 * The fastest mode's warm start: plain projected descent on CE(f(x), ŷ) inside B_δ(x_o) from x_o, one
 * forward+backward pass per step and no inner attack. For an adversarially trained model moving toward a
 * confident ŷ already makes many images robust, so they can confirm and leave after one robust step.
 */
final class WarmStart {

    private final ThreatModel ball;
    private final int steps;
    private final double stepSize;

    /**
     * @param ball B_δ
     * @param steps descent steps
     * @param stepSize step length in the ball's norm
     */
    WarmStart(ThreatModel ball, int steps, double stepSize) {
        this.ball = ball;
        this.steps = steps;
        this.stepSize = stepSize;
    }

    /** @return passes per image: one per step */
    long passesPerImage() {
        return steps;
    }

    /** @return the warm start (a new array in x0's manager, inside B_δ(x0) ∩ [0,1]) */
    NDArray from(Classifier f, NDArray x0, NDArray labels) {
        NDArray x = x0.duplicate();
        for (int k = 0; k < steps; k++) {
            NDArray cur = x;
            x = Scopes.keep(() -> {
                NDArray g = Gradients.of(cur, in -> Losses.crossEntropy(f.logits(in), labels)).grad();
                return ball.project(x0, ball.ascentStep(cur, g.neg(), stepSize));
            });
            cur.close();
        }
        return x;
    }
}
