package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Rows;

/**
 * The images of a batch still being optimised: their indices in the batch, their originals and their labels,
 * in active-batch order. Fast mode's early exit drops images; the outer loop then compacts its optimiser state
 * with the positions {@link #drop} returns. Owns its copies of the originals and labels.
 */
final class ActiveBatch implements AutoCloseable {

    private int[] rows;
    private NDArray x0;
    private NDArray labels;

    /**
     * @param x0 the batch's originals (copied)
     * @param labels the batch's labels (owned from now on)
     */
    ActiveBatch(NDArray x0, NDArray labels) {
        this.rows = new int[(int) x0.getShape().get(0)];
        java.util.Arrays.setAll(rows, i -> i);
        this.x0 = x0.duplicate();
        this.labels = labels;
    }

    /** @return position in the active batch → image index in the batch */
    int[] rows() {
        return rows;
    }

    /** @return whether any image is still being optimised */
    boolean isEmpty() {
        return rows.length == 0;
    }

    /** @return the active images' originals */
    NDArray x0() {
        return x0;
    }

    /** @return the active images' labels */
    NDArray labels() {
        return labels;
    }

    /**
     * Drops the images that exit.
     *
     * @param exit per active image: leaves now
     * @return the positions (in the active batch before the drop) of the images that stay, in order, when some
     *     image left and some stay; null when nothing changed or nothing stays (no state to compact)
     */
    int[] drop(boolean[] exit) {
        int keep = 0;
        for (boolean e : exit) {
            keep += e ? 0 : 1;
        }
        if (keep == rows.length) {
            return null;
        }
        int[] stay = new int[keep];
        int[] next = new int[keep];
        for (int i = 0, j = 0; i < exit.length; i++) {
            if (!exit[i]) {
                stay[j] = i;
                next[j++] = rows[i];
            }
        }
        rows = next;
        if (keep == 0) {
            return null;
        }
        NDArray x0Next = Rows.select(x0, stay);
        NDArray labelsNext = Rows.select(labels, stay);
        x0.close();
        labels.close();
        x0 = x0Next;
        labels = labelsNext;
        return stay;
    }

    @Override
    public void close() {
        x0.close();
        labels.close();
    }
}
