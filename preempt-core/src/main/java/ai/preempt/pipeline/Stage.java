package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.preempt.threat.Norm;

/**
 * One step of a server's preprocessing, as a differentiable map of float batches: N×C×H×W in [0,1] to
 * N×C×H'×W' in [0,1]. Implementations are immutable.
 */
public interface Stage {

    /**
     * @param x N×C×H×W float32 in [0,1]; may be on an autograd path
     * @return the stage's output, differentiable in {@code x} (or with a stated backward approximation)
     */
    NDArray apply(NDArray x);

    /**
     * The adjoint (transpose) of a linear stage: for every x and g, ⟨apply(x), g⟩ = ⟨x, adjoint(g, size)⟩. It carries a
     * gradient at the stage's output back to its input without autograd (what robustification does for the
     * pipeline's linear prefix, where the input is a large photo).
     *
     * @param g N×C×H'×W', shaped like the output for an input of {@code size}
     * @param size {H, W} of the input
     * @return N×C×H×W (may be {@code g} itself when the stage changes nothing)
     * @throws UnsupportedOperationException for a stage that is not linear (JPEG)
     */
    default NDArray adjoint(NDArray g, int[] size) {
        throw new UnsupportedOperationException(spec() + " is not linear: it has no adjoint");
    }

    /**
     * @param size {H, W} of the input
     * @return {H', W'} of the output
     * @throws IllegalArgumentException when the stage cannot take an input of that size
     */
    int[] outputSize(int[] size);

    /**
     * An upper bound on ‖stage(x + η) − stage(x)‖ / ‖η‖ in {@code norm} for inputs of {@code size}: the factor by
     * which the stage can grow a perturbation. Finite only for linear stages; {@link Double#POSITIVE_INFINITY}
     * for stages with no such bound (JPEG).
     */
    double gain(Norm norm, int[] size);

    /** @return the stage as it is written in a pipeline string, e.g. {@code resize=256} */
    String spec();
}
