package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.IntStream;

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

    /**
     * @param x a batch
     * @param at positions of x (ascending, distinct)
     * @param values one row per position in {@code at}, in that order
     * @return a new batch: x with its rows {@code at} replaced by {@code values} (differentiable in both)
     */
    public static NDArray put(NDArray x, int[] at, NDArray values) {
        int n = (int) x.getShape().get(0);
        int[] off = IntStream.range(0, n).filter(i -> Arrays.binarySearch(at, i) < 0).toArray();
        int[] back = new int[n]; // position of each row of the result in [values, then x's other rows]
        for (int j = 0; j < at.length; j++) {
            back[at[j]] = j;
        }
        for (int j = 0; j < off.length; j++) {
            back[off[j]] = at.length + j;
        }
        // temporaries stay in the caller's scope: on an autograd path, the backward pass may need them
        return select(NDArrays.concat(new NDList(values, select(x, off))), back);
    }

    /**
     * Bytes per tensor that a chunk of {@link #inChunks} covers: a chain of elementwise operations on that many bytes
     * of a few tensors stays in the core's cache (1–2 MB of L2 here) instead of streaming from memory per operation.
     */
    private static final long CHUNK_BYTES = 1 << 19;

    /**
     * Runs {@code body} on consecutive row ranges of a batch shaped like {@code like} (about {@value #CHUNK_BYTES}
     * bytes per float tensor, at least one row each), each in its own {@link NDScope}, in order. For chains of
     * in-place elementwise operations on large images: {@code x.get(rows)} is a view sharing x's memory, so the
     * chain can run range by range, in the cache. A 256×256 photo is one range; 32×32 images come about 40 to one.
     */
    public static void inChunks(NDArray like, Consumer<NDIndex> body) {
        long n = like.getShape().get(0);
        long rowBytes = Math.max(1, like.size() / Math.max(1, n)) * Float.BYTES;
        long step = Math.max(1, CHUNK_BYTES / rowBytes);
        for (long from = 0; from < n; from += step) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                body.accept(new NDIndex("{}:{}", from, Math.min(n, from + step)));
            }
        }
    }

    /** @return per image, a where {@code mask} is true and b elsewhere (one boolean per row) */
    public static NDArray where(boolean[] mask, NDArray a, NDArray b) {
        long[] shape = new long[a.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = a.getShape().get(0);
        return Scopes.keep(() -> {
            NDArray m = a.getManager().create(mask).reshape(shape).broadcast(a.getShape());
            return ai.djl.ndarray.NDArrays.where(m, a, b);
        });
    }
}
