package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.threat.ThreatModel;

/**
 * Rounds robustified images to the 8-bit grid a user actually uploads, without leaving B_δ(x_o) ∩ [0,1].
 *
 * <p>x_o is assumed to lie on the 8-bit grid (it was read from an 8-bit file or CIFAR-10). Each pixel is
 * rounded to the nearest level; for an image whose rounded version would leave the δ-ball (possible when
 * x_s sits on the ball's surface), every pixel of that image is instead rounded toward x_o, which
 * never increases any |x − x_o| and so stays inside the ball for both norms.
 */
public final class Quantizer {

    private Quantizer() {}

    /** @return x rounded to multiples of 1/255 */
    public static NDArray to8bit(NDArray x) {
        return Scopes.keep(() -> x.mul(255f).round().div(255f).clip(0, 1));
    }

    /**
     * @param x0 originals (on the 8-bit grid)
     * @param xs robustified images inside {@code ball} around x0
     * @param ball B_δ
     * @return 8-bit images inside the ball and [0,1]
     */
    public static NDArray quantize(NDArray x0, NDArray xs, ThreatModel ball) {
        return PreemptEngine.call(() -> Scopes.keep(() -> {
            NDArray nearest = xs.mul(255f).round().div(255f).clip(0, 1);
            NDArray x0q = x0.mul(255f).round();
            // toward x_o: truncate the difference in grid units
            NDArray diff = xs.mul(255f).sub(x0q);
            NDArray toward = x0q.add(diff.sign().mul(diff.abs().add(1e-4f).floor())).div(255f).clip(0, 1);
            boolean[] outside = ball.distance(nearest, x0).gt(ball.eps() + 1e-6).toBooleanArray();
            return Rows.where(outside, toward, nearest).duplicate();
        }));
    }
}
