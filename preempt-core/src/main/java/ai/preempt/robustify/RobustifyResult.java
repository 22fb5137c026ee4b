package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;

/**
 * What robustification returns for a batch.
 *
 * @param images the robustified images x_s (float32), inside B_δ(x_o) ∩ [0,1]
 * @param labels the labels that were protected (ŷ)
 * @param robustLoss per image, the robust loss at the last outer step
 * @param passes per image, forward+backward passes spent
 * @param outerSteps per image, outer steps taken (T, or fewer when fast mode let the image exit early)
 */
public record RobustifyResult(NDArray images, long[] labels, float[] robustLoss, long[] passes, int[] outerSteps) {}
