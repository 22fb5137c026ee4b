package ai.preempt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * Runs every forward (and so backward) pass of the wrapped classifier on at least {@code minRows} images, padding
 * smaller batches with copies of their first image and returning the logits of the real ones. PyTorch's CPU
 * kernels take other code paths for a batch of 1 (forward) and of 2–3 (input gradients), which changes results in
 * the last float bit; with every pass at 4 rows or more an image's logits and input gradients are bitwise the same
 * whatever shares its batch (measured on this build for the bundled models), which is what lets a service batch
 * unrelated images, and images join and leave a running batch, without changing anyone's answer. The copies get
 * no gradient of their own (their logits are dropped), so the real rows' gradients are unchanged.
 */
public final class MinRowsClassifier extends DelegatingClassifier {

    private final int minRows;

    /**
     * @param inner the classifier (not owned)
     * @param minRows the fewest rows any pass runs on
     */
    public MinRowsClassifier(Classifier inner, int minRows) {
        super(inner);
        if (minRows < 1) {
            throw new IllegalArgumentException("minRows must be at least 1, got " + minRows);
        }
        this.minRows = minRows;
    }

    @Override
    public NDArray logits(NDArray images) {
        long n = images.getShape().get(0);
        if (n >= minRows || n == 0) {
            return inner().logits(images);
        }
        NDArray first = images.get(new NDIndex("0:1"));
        NDList rows = new NDList(images);
        for (long i = n; i < minRows; i++) {
            rows.add(first);
        }
        return inner().logits(NDArrays.concat(rows)).get(new NDIndex("0:" + n));
    }
}
