package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.model.LinearClassifier;

/** Classifiers whose smoothed behaviour is known in closed form, on 3×4×4 images. */
final class SmoothingFixtures {

    static final Shape SHAPE = new Shape(3, 4, 4);
    static final int PIXELS = 48;

    private SmoothingFixtures() {}

    /** Ignores its input and always says {@code label} (of {@code classes}). */
    static LinearClassifier constant(NDManager m, int classes, int label) {
        float[] bias = new float[classes];
        bias[label] = 5f;
        return new LinearClassifier(m, new float[classes][PIXELS], bias, SHAPE);
    }

    /** Says 1 when the first pixel exceeds 0.5, else 0: on an image with pixel 0.5, a fair coin under noise. */
    static LinearClassifier coin(NDManager m) {
        float[] w1 = new float[PIXELS];
        w1[0] = 1f;
        return new LinearClassifier(m, new float[][] {new float[PIXELS], w1}, new float[] {0f, -0.5f}, SHAPE);
    }

    /** @return one 1×3×4×4 image with every pixel 0.5 */
    static NDArray grey(NDManager m) {
        return m.full(new Shape(1, 3, 4, 4), 0.5f);
    }
}
