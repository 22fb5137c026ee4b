package ai.preempt.threat;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Rng;

/**
 * A perturbation budget: the set of images within distance ε of a reference image, intersected with the
 * pixel box [0,1]. Every budget is in [0,1] pixel space and norms are per image.
 */
public sealed interface ThreatModel permits LinfThreat, L2Threat {

    /** @return a threat model of the given norm and radius */
    static ThreatModel of(Norm norm, double eps) {
        if (!(eps > 0) || eps > 1) {
            throw new IllegalArgumentException("eps must lie in (0, 1], got " + eps);
        }
        return norm == Norm.LINF ? new LinfThreat(eps) : new L2Threat(eps);
    }

    /** @return the norm */
    Norm norm();

    /** @return the radius ε */
    double eps();

    /** @return the same norm with another radius */
    default ThreatModel withEps(double newEps) {
        return of(norm(), newEps);
    }

    /** @return x projected onto B_ε(x0), then clamped to [0,1] */
    NDArray project(NDArray x0, NDArray x);

    /** @return the unit steepest-ascent direction of g in this norm: sign(g) for L∞, g/(‖g‖₂+1e-10) for L2 */
    NDArray stepDirection(NDArray grad);

    /** @return the steepest-ascent step x + α·direction(g), not projected */
    default NDArray ascentStep(NDArray x, NDArray grad, double alpha) {
        return x.add(stepDirection(grad).mul(alpha));
    }

    /** @return the random offset of a start drawn as {@code mode} says (zeros for NONE), before the [0,1] clamp */
    NDArray randomOffset(NDArray x0, RandomStart mode, Rng rng);

    /** @return a random point of B_ε(x0) ∩ [0,1]: x0 plus {@link #randomOffset}, clamped to [0,1] */
    default NDArray randomStart(NDArray x0, RandomStart mode, Rng rng) {
        return mode == RandomStart.NONE ? x0.duplicate() : x0.add(randomOffset(x0, mode, rng)).clip(0, 1);
    }

    /** @return per-image distance ‖a − b‖ in this norm (N) */
    NDArray distance(NDArray a, NDArray b);

    /** @return a short description such as "linf 8/255" */
    default String describe() {
        double e255 = eps() * 255;
        String e = Math.abs(e255 - Math.rint(e255)) < 1e-9 ? ((long) Math.rint(e255)) + "/255" : Double.toString(eps());
        return norm().id() + " " + e;
    }
}
