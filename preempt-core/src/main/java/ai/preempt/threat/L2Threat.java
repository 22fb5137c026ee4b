package ai.preempt.threat;

import ai.preempt.engine.Ops;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Rng;

/**
 * The L2 ball: scale the difference d by min(1, ε/‖d‖₂) per image, then clamp the image to [0,1].
 *
 * @param eps radius in pixel scale
 */
public record L2Threat(double eps) implements ThreatModel {

    private static final float TINY = 1e-12f;

    @Override
    public Norm norm() {
        return Norm.L2;
    }

    /** Per-image L2 norms, shaped N×1×1×… so they broadcast against the batch. */
    static NDArray norms(NDArray d) {
        Shape s = d.getShape();
        long[] keep = new long[s.dimension()];
        java.util.Arrays.fill(keep, 1);
        keep[0] = s.get(0);
        // sqrt(Σd² + 1e-24) rather than norm(): its gradient stays finite at d = 0 (the replayed chain of
        // robustification differentiates through this projection, also for images whose inner steps vanish)
        return d.reshape(s.get(0), -1).square().sum(new int[] {1}).add(1e-24f).sqrt().reshape(new Shape(keep));
    }

    @Override
    public NDArray project(NDArray x0, NDArray x) {
        NDArray d = x.sub(x0);
        NDArray factor = Ops.rdiv(eps, norms(d).add(TINY)).clip(0, 1); // min(1, ε/‖d‖); Ops: on autograd paths
        return d.mul(factor).add(x0).clip(0, 1);
    }

    @Override
    public NDArray stepDirection(NDArray grad) {
        return grad.div(norms(grad).add(1e-10f));
    }

    @Override
    public NDArray randomOffset(NDArray x0, RandomStart mode, Rng rng) {
        switch (mode) {
            case NONE:
                return x0.zerosLike();
            case SPHERE: {
                NDArray u = rng.uniformLike(x0, -0.5, 0.5);
                return u.div(norms(u).add(TINY)).mul(eps);
            }
            default: {
                // uniform in the ball: Gaussian direction, radius ε·U^(1/d)
                Shape s = x0.getShape();
                long n = s.get(0);
                long d = s.size() / n;
                NDArray g = rng.normalLike(x0);
                double[] u = rng.uniformPerImage(x0);
                float[] r = new float[(int) n];
                for (int i = 0; i < n; i++) {
                    r[i] = (float) (eps * Math.pow(u[i], 1.0 / d));
                }
                NDArray radius = x0.getManager().create(r).reshape(norms(g).getShape());
                return g.div(norms(g).add(TINY)).mul(radius);
            }
        }
    }

    @Override
    public NDArray distance(NDArray a, NDArray b) {
        return a.sub(b).reshape(a.getShape().get(0), -1).norm(new int[] {1});
    }
}
