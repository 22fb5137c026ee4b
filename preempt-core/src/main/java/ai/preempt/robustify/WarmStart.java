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

    /**
     * @param start the warm start (a new array in x0's manager, inside B_δ(x0) ∩ [0,1])
     * @param labels the labels it descended toward: the given ones, or ŷ = argmax f(x_o)
     */
    record Start(NDArray start, long[] labels) {}

    /**
     * @param labels the labels to descend toward (int64), or null for ŷ = argmax f(x_o): with at least one step
     *     ŷ is read off the first step's own forward pass at x_o, so it costs no extra pass
     */
    Start from(Classifier f, NDArray x0, NDArray labels) {
        if (steps == 0) {
            long[] y = labels == null ? Scopes.keepAll(() -> f.predict(x0).toLongArray()) : labels.toLongArray();
            return new Start(x0.duplicate(), y);
        }
        long[][] y = {labels == null ? null : labels.toLongArray()};
        NDArray x = x0.duplicate();
        for (int k = 0; k < steps; k++) {
            NDArray cur = x;
            x = Scopes.keep(() -> {
                NDArray g = Gradients.of(cur, in -> {
                    NDArray logits = f.logits(in);
                    if (y[0] == null) {
                        y[0] = logits.argMax(1).toLongArray(); // a constant: the gradient is the same as with ŷ given
                    }
                    return Losses.crossEntropy(logits, logits.getManager().create(y[0]));
                }).grad();
                return ball.project(x0, ball.ascentStep(cur, g.neg(), stepSize));
            });
            cur.close();
        }
        return new Start(x, y[0]);
    }
}
