package ai.preempt.robustify;

import ai.djl.ndarray.NDManager;
import ai.preempt.data.Image;
import ai.preempt.engine.PreemptEngine;
import ai.djl.ndarray.NDArray;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;

/**
 * Preemptive robustification (Algorithm 1): moves each image x_o, inside B_δ(x_o), to a point x_s whose
 * neighbourhood B_ε(x_s) the classifier labels uniformly, by minimising the robust loss
 * E[CE(f(PGD_K(x_s)), ŷ)].
 */
public interface Robustifier {

    /**
     * @param f the classifier to robustify for
     * @param x0 original images, N×C×H×W in [0,1]
     * @param labels labels to protect (int64, N); null uses the classifier's own predictions ŷ = argmax f(x_o)
     * @return the robustified images (float, inside B_δ(x_o) ∩ [0,1]) and per-image figures
     */
    RobustifyResult robustify(Classifier f, NDArray x0, NDArray labels);

    /**
     * Opens a stream on {@code f} into which images can be admitted while others are being robustified (continuous
     * batching); {@link #robustify} is such a stream with every image admitted at once.
     *
     * @param f the classifier to robustify for
     * @param results the manager finished images are handed out in
     * @throws UnsupportedOperationException for the fastest mode, which robustifies whole batches only
     */
    RobustifyStream open(Classifier f, NDManager results);

    /** @return the settings */
    RobustifyConfig config();

    /**
     * One image, as it would be written: robustified for the classifier's own label and rounded to 8 bits
     * inside B_δ(x_o).
     *
     * @param f the classifier to robustify for
     * @param x0 an image of the classifier's input size (C×H×W in [0,1], on the 8-bit grid)
     * @return the robustified image
     */
    default Image robustify(Classifier f, Image x0) {
        return PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = x0.toNDArray(m);
                NDArray xs = robustify(f, x, null).images();
                return Image.fromNDArray(Quantizer.quantize(x, xs, config().adversary().withEps(config().delta())));
            }
        });
    }

    /** @return the robustifier for the configuration's norm */
    static Robustifier of(RobustifyConfig c) {
        return c.norm() == Norm.LINF ? new LinfRobustifier(c, false) : new L2Robustifier(c, false);
    }
}
