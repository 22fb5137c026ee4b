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

    /** @return the steepest-ascent step x + α·direction(g) (sign for L∞, unit-L2 gradient for L2), not projected */
    NDArray ascentStep(NDArray x, NDArray grad, double alpha);

    /** @return a random point of B_ε(x0) ∩ [0,1] drawn as {@code mode} says */
    NDArray randomStart(NDArray x0, RandomStart mode, Rng rng);

    /** @return per-image distance ‖a − b‖ in this norm (N) */
    NDArray distance(NDArray a, NDArray b);

    /** @return a short description such as "linf 8/255" */
    default String describe() {
        double e255 = eps() * 255;
        String e = Math.abs(e255 - Math.rint(e255)) < 1e-9 ? ((long) Math.rint(e255)) + "/255" : Double.toString(eps());
        return norm().id() + " " + e;
    }
}
