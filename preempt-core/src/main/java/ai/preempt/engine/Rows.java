package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Per-image (first-axis) selection helpers for batched tensors. */
public final class Rows {

    private Rows() {}

    /**
     * @return the rows {@code keep} of x, in that order (a new array); safe on an autograd path: the index tensor
     *     lives in PyTorch's own memory (a tensor over a Java buffer, as DJL makes it, would be freed by the garbage
     *     collector while autograd still keeps it for the backward pass; see {@link Ops})
     */
    public static NDArray select(NDArray x, int[] keep) {
        long[] idx = new long[keep.length];
        for (int i = 0; i < keep.length; i++) {
            idx[i] = keep[i];
        }
        try (NDArray raw = x.getManager().create(idx); NDArray index = raw.duplicate()) {
            return x.get(new NDIndex("{}", index));
        }
    }

    /** @return per image, a where {@code mask} is true and b elsewhere (one boolean per row) */
    public static NDArray where(boolean[] mask, NDArray a, NDArray b) {
        long[] shape = new long[a.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = a.getShape().get(0);
        return Scopes.keep(() -> {
            NDArray m = a.getManager().create(mask).reshape(shape).broadcast(a.getShape());
            return ai.djl.ndarray.NDArrays.where(m, a, b);
        });
    }
}
