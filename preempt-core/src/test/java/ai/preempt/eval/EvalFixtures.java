package ai.preempt.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import java.util.List;
import java.util.SplittableRandom;

/** Small labelled data and a small model for the evaluation tests. */
final class EvalFixtures {

    private EvalFixtures() {}

    /**
     * A seeded subset of n − 2 of n random 8-bit 3×8×8 images, labelled with {@code f}'s prediction except every
     * fifth (misclassified on purpose).
     */
    static LabeledImages images(Classifier f, NDManager m, int n) {
        byte[] bytes = new byte[n * 192];
        new SplittableRandom(4).nextBytes(bytes);
        float[] v = new float[bytes.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (bytes[i] & 0xFF) / 255f;
        }
        long[] pred = f.predict(m.create(v, new Shape(n, 3, 8, 8))).toLongArray();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 5 == 0 ? (int) (pred[i] + 1) % 10 : (int) pred[i]; // a few misclassified
        }
        return LabeledImages.of(bytes, labels, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), 3, 8, 8)
                .subset(n - 2, 1); // a subset, so dataset indices differ from positions
    }

    /** @return a random 10-class linear model on 3×8×8 images with small logits */
    static LinearClassifier linear(NDManager m) {
        Rng rng = new Rng(8);
        float[][] w = new float[10][192];
        for (float[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (rng.nextDouble() - 0.5);
            }
        }
        return new LinearClassifier(m, w, new float[10], new Shape(3, 8, 8)).scaled(0.02f);
    }

    /** A test on {@link #linear} and {@link #images} of it, both in {@code m}. */
    interface LinearTest {
        void run(NDManager m, LinearClassifier f, LabeledImages data) throws Exception;
    }

    /** Runs {@code test} on the compute thread with {@link #linear} and n {@link #images}; closes them afterwards. */
    static void onLinear(int n, LinearTest test) {
        PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear(m);
                test.run(m, f, images(f, m, n));
            }
            return null;
        });
    }
}
