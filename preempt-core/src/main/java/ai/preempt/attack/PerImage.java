package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
        return select(a.getManager().create(mask), a, b);
    }

    /** @return per image, {@code mask[i] ? a[i] : b[i]}, mask a boolean or numeric NDArray of length N */
    static NDArray select(NDArray mask, NDArray a, NDArray b) {
        NDArray m = column(mask.toType(a.getDataType(), false), a);
        return a.mul(m).add(b.mul(m.neg().add(1)));
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
     * The class with the {@code rank}-th highest logit per image (rank 1 is the prediction), as AutoAttack
     * picks its targets: rank 2..10 are the nine most likely wrong classes of a 10-class model.
     */
    static long[] rankedClass(NDArray logits, int rank) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            long k = logits.getShape().get(1);
            if (rank < 1 || rank > k) {
                throw new IllegalArgumentException("target rank " + rank + " outside 1.." + k);
            }
            long[] order = logits.argSort(1, false).toLongArray();
            long n = logits.getShape().get(0);
            long[] out = new long[(int) n];
            for (int i = 0; i < n; i++) {
                out[i] = order[(int) (i * k + rank - 1)];
            }
            return out;
        }
    }

    /** A cheap fingerprint of a batch so each batch gets its own random stream. */
    static long contentKey(NDArray x) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double s = x.sum().getFloat();
            double q = x.mul(x).sum().getFloat();
            return Double.doubleToLongBits(s) * 31 + Double.doubleToLongBits(q) + x.getShape().get(0);
        }
    }

    /** @return an NDArray of the given shape holding {@code values}, in {@code m} */
    static NDArray create(NDManager m, float[] values, Shape shape) {
        return m.create(values, shape);
    }
}
