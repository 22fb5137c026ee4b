package ai.preempt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Per-image losses on logits. */
public final class Losses {

    private Losses() {}

    /**
     * Cross-entropy per image.
     *
     * @param logits N×K
     * @param labels N class indices (any integer type)
     * @return N losses
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(1);
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot((int) logits.getShape().get(1))
                .toType(logp.getDataType(), false);
        return logp.mul(oneHot).sum(new int[] {1}).neg();
    }

    /**
     * Difference of logits ratio loss of Croce &amp; Hein (2020), untargeted:
     * −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e-12), per image.
     */
    public static NDArray dlr(NDArray logits, NDArray labels) {
        int k = (int) logits.getShape().get(1);
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot(k).toType(logits.getDataType(), false);
        NDArray zy = logits.mul(oneHot).sum(new int[] {1});
        NDArray others = logits.sub(oneHot.mul(1e9f)).max(new int[] {1});
        NDArray sorted = logits.sort(1);
        NDArray denom = sorted.get(":, -1").sub(sorted.get(":, -3")).add(1e-12f);
        return zy.sub(others).neg().div(denom);
    }
}
