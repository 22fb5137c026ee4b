package ai.preempt.model;

import ai.preempt.engine.Ops;
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
     * Margin of the true class: z_y − max_{i≠y} z_i per image (negative exactly when another class wins).
     * Square minimises it; the DLR losses are built from it.
     */
    public static NDArray margin(NDArray logits, NDArray labels) {
        NDArray oneHot = oneHot(logits, labels);
        NDArray zy = logits.mul(oneHot).sum(new int[] {1});
        // push the true class far below every other logit before taking the max
        NDArray others = logits.sub(oneHot.mul(largeOffset(logits))).max(new int[] {1});
        return zy.sub(others);
    }

    /**
     * Difference of logits ratio loss of Croce &amp; Hein (2020), untargeted:
     * −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e-12), per image, where π sorts the logits in
     * decreasing order.
     */
    public static NDArray dlr(NDArray logits, NDArray labels) {
        NDArray sorted = logits.sort(1);
        NDArray denom = sorted.get(":, -1").sub(sorted.get(":, -3")).add(1e-12f);
        return margin(logits, labels).neg().div(denom);
    }

    /**
     * Targeted DLR loss of Croce &amp; Hein (2020): −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e-12), per
     * image; needs at least four classes.
     */
    public static NDArray dlrTargeted(NDArray logits, NDArray labels, NDArray targets) {
        NDArray zy = logits.mul(oneHot(logits, labels)).sum(new int[] {1});
        NDArray zt = logits.mul(oneHot(logits, targets)).sum(new int[] {1});
        NDArray sorted = logits.sort(1);
        NDArray denom = sorted.get(":, -1").sub(Ops.mul(sorted.get(":, -3").add(sorted.get(":, -4")), 0.5)).add(1e-12f);
        return zy.sub(zt).neg().div(denom);
    }

    private static NDArray oneHot(NDArray logits, NDArray labels) {
        return labels.toType(DataType.INT64, false).oneHot((int) logits.getShape().get(1))
                .toType(logits.getDataType(), false);
    }

    /** An offset larger than any logit gap, so a masked class can never be the maximum. */
    private static NDArray largeOffset(NDArray logits) {
        return logits.stopGradient().abs().max().mul(2).add(1e4f);
    }
}
