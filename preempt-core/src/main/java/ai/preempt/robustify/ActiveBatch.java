package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import java.util.ArrayList;
import java.util.List;

/**
 * The images being optimised, row-aligned: each one's {@link Progress}, original, label and random stream.
 * Images join ({@link #append}) and leave ({@link #keep}); the outer loop grows and compacts its optimiser state
 * alike. Owns its arrays.
 */
final class ActiveBatch implements AutoCloseable {

    private List<Progress> rows = new ArrayList<>();
    private NDArray x0;
    private NDArray labels;
    private Rng rng;

    /** @return the images' progress, in row order */
    List<Progress> rows() {
        return rows;
    }

    /** @return whether no image is being optimised */
    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** @return the images' originals */
    NDArray x0() {
        return x0;
    }

    /** @return the images' labels */
    NDArray labels() {
        return labels;
    }

    /** @return the images' random streams (per image, row-aligned) */
    Rng rng() {
        return rng;
    }

    /**
     * Adds images after the current ones.
     *
     * @param x0New their originals (owned from now on)
     * @param labelsNew their labels (owned from now on)
     * @param rngNew their per-image random stream
     * @param progress their progress, one per row
     */
    void append(NDArray x0New, NDArray labelsNew, Rng rngNew, List<Progress> progress) {
        if (rows.isEmpty()) {
            close();
            x0 = x0New;
            labels = labelsNew;
            rng = rngNew;
        } else {
            NDArray x = NDArrays.concat(new NDList(x0, x0New));
            NDArray y = NDArrays.concat(new NDList(labels, labelsNew));
            NDScope.unregister(x, y);
            close();
            x0New.close();
            labelsNew.close();
            x0 = x;
            labels = y;
            rng.append(rngNew);
        }
        rows.addAll(progress);
    }

    /** Keeps only the given rows (positions), in order. */
    void keep(int[] stay) {
        List<Progress> next = new ArrayList<>(stay.length);
        for (int i : stay) {
            next.add(rows.get(i));
        }
        rows = next;
        if (stay.length == 0) {
            return; // nothing to compact: the arrays go with the next append or close
        }
        NDArray x = Rows.select(x0, stay);
        NDArray y = Rows.select(labels, stay);
        NDScope.unregister(x, y);
        close();
        x0 = x;
        labels = y;
        rng.keepRows(stay);
    }

    @Override
    public void close() {
        if (x0 != null) {
            x0.close();
            labels.close();
        }
    }
}
