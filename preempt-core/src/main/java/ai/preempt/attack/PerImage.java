package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Per-image bookkeeping shared by the attacks: selection masks, subsets, broadcasting of per-image
 * scalars, the batch fingerprint that seeds an attack's random stream, and the ranking of target classes.
 */
final class PerImage {

    private PerImage() {}

    /** @return per image, {@code mask[i] ? a[i] : b[i]} (a and b have the same shape) */
    static NDArray select(boolean[] mask, NDArray a, NDArray b) {
        return ai.preempt.engine.Rows.where(mask, a, b);
    }

    /** @return per image, {@code mask[i] ? a[i] : b[i]}, mask a boolean or numeric NDArray of length N */
    static NDArray select(NDArray mask, NDArray a, NDArray b) {
        NDArray m = column(mask.toType(DataType.BOOLEAN, false), a).broadcast(a.getShape());
        return NDArrays.where(m, a, b);
    }

    /** @return a length-N vector reshaped to N×1×1×… so it broadcasts against {@code like} */
    static NDArray column(NDArray v, NDArray like) {
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = v.getShape().get(0);
        return v.reshape(new Shape(shape));
    }

    /** @return a float column N×1×1×… holding {@code v} */
    static NDArray column(double[] v, NDArray like) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return column(like.getManager().create(f), like);
    }

    /** @return the images (rows) of {@code x} where {@code mask} is true */
    static NDArray rows(NDArray x, boolean[] mask) {
        return x.get(x.getManager().create(mask));
    }

    /** @return indices i with {@code mask[i]} */
    static int[] indices(boolean[] mask) {
        int[] out = new int[count(mask)];
        int k = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** @return how many entries are true */
    static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) {
            c += v ? 1 : 0;
        }
        return c;
    }

    /** @return true when every entry is true (also for an empty array) */
    static boolean all(boolean[] b) {
        return count(b) == b.length;
    }

    /** @return the element-wise negation */
    static boolean[] not(boolean[] b) {
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = !b[i];
        }
        return out;
    }

    /** @return per image, whether {@code pred[i] != labels[i]} */
    static boolean[] differs(long[] pred, long[] labels) {
        boolean[] out = new boolean[pred.length];
        for (int i = 0; i < pred.length; i++) {
            out[i] = pred[i] != labels[i];
        }
        return out;
    }

    /** @return the labels as a Java array */
    static long[] longs(NDArray y) {
        return y.toType(DataType.INT64, false).toLongArray();
    }

    /**
     * AutoAttack's target classes: for rank r = 2..count+1, the class with the r-th highest clean logit per
     * image (rank 1 is the prediction), so with 10 classes and count 9 every wrong class in order of
     * likelihood. Ranks beyond the number of classes are dropped.
     *
     * @return targets[r − 2][i] for image i
     */
    static long[][] targetClasses(ai.preempt.model.Classifier f, NDArray x, int count) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = f.logits(x);
            int k = (int) logits.getShape().get(1);
            int n = (int) logits.getShape().get(0);
            long[] order = logits.argSort(1, false).toLongArray();
            int ranks = Math.max(0, Math.min(count, k - 1));
            long[][] out = new long[ranks][n];
            for (int r = 0; r < ranks; r++) {
                for (int i = 0; i < n; i++) {
                    out[r][i] = order[i * k + r + 1];
                }
            }
            return out;
        }
    }


}
