package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe on an autograd path. Use these instead of
 * {@code NDArray.mul(Number)}, {@code div(Number)}, {@code pow(Number)}, {@code maximum(Number)} and
 * {@code minimum(Number)} anywhere a gradient may flow.
 *
 * <p>Why: DJL's PyTorch engine turns a {@code Number} operand into a tensor over a Java direct buffer (no
 * copy) and closes that tensor right after the operation. Autograd keeps the operand for the backward pass
 * (d(x·c)/dx = c), so once the garbage collector frees the buffer, backward reads freed memory: NaN or
 * silently wrong gradients, depending on GC timing. The constants made here live in PyTorch's own memory,
 * which autograd reference-counts. {@code GradientsGcStressTest} proves the difference.
 */
public final class Ops {

    private Ops() {}

    /** @return a 0-d tensor holding {@code v}, in {@code like}'s manager and data type, owned by PyTorch */
    public static NDArray scalar(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, like.getDataType());
    }

    /** @return x·v */
    public static NDArray mul(NDArray x, double v) {
        try (NDArray c = scalar(x, v)) {
            return x.mul(c);
        }
    }

    /** @return x/v */
    public static NDArray div(NDArray x, double v) {
        try (NDArray c = scalar(x, v)) {
            return x.div(c);
        }
    }

    /** @return v/x */
    public static NDArray rdiv(double v, NDArray x) {
        try (NDArray c = scalar(x, v)) {
            return c.div(x);
        }
    }
}
