package ai.preempt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.data.Image;
import ai.preempt.engine.PreemptEngine;
import java.util.List;

/**
 * An image classifier seen by Preempt: images in, logits out.
 *
 * <p>Inputs are float batches in [0,1], NCHW; any normalisation is inside the classifier, so every
 * budget, projection and clamp lives in pixel space. When called inside {@link
 * ai.preempt.engine.Gradients#of}, the forward pass is recorded so input gradients can be taken; the
 * model itself is always in evaluation mode (BatchNorm uses running statistics).
 */
public interface Classifier extends AutoCloseable {

    /**
     * @param images N×C×H×W float32 in [0,1]
     * @return N×numClasses logits, in the manager of {@code images}
     */
    NDArray logits(NDArray images);

    /** @return the number of classes */
    int numClasses();

    /** @return the input shape C×H×W */
    Shape inputShape();

    /** @return class names, one per logit */
    List<String> classes();

    /** @return a short human-readable name (file or architecture) */
    String name();

    /** @return predicted class index per image (int64, N), without gradients */
    default NDArray predict(NDArray images) {
        return logits(images).argMax(1);
    }

    /** @return the predicted class index of one image of the input size (C×H×W in [0,1]) */
    default int predict(Image image) {
        return PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                return (int) predict(image.toNDArray(m)).getLong(0);
            }
        });
    }

    /** @return the predicted class index of one image given as C×H×W floats in [0,1] of the input shape */
    default int predict(float[] chw) {
        long[] s = inputShape().getShape();
        return predict(new Image((int) s[0], (int) s[1], (int) s[2], chw));
    }

    @Override
    void close();
}
