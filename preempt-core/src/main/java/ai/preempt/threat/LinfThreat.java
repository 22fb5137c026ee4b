package ai.preempt.threat;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Rng;

/**
 * The L∞ ball: clamp the difference to [−ε, ε], then the image to [0,1].
 *
 * @param eps radius in pixel scale
 */
public record LinfThreat(double eps) implements ThreatModel {

    @Override
    public Norm norm() {
        return Norm.LINF;
    }

    @Override
    public NDArray project(NDArray x0, NDArray x) {
        return x.sub(x0).clip(-eps, eps).add(x0).clip(0, 1);
    }

    @Override
    public NDArray stepDirection(NDArray grad) {
        return grad.sign();
    }

    @Override
    public NDArray randomOffset(NDArray x0, RandomStart mode, Rng rng) {
        if (mode == RandomStart.NONE) {
            return x0.zerosLike();
        }
        return rng.uniformLike(x0, -eps, eps);
    }

    @Override
    public NDArray distance(NDArray a, NDArray b) {
        return a.sub(b).abs().reshape(a.getShape().get(0), -1).max(new int[] {1});
    }
}
