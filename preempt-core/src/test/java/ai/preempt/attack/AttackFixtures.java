package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.NDManagers;
import ai.preempt.engine.Ops;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.DelegatingClassifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Small, fast models and budgets for the attack tests. */
final class AttackFixtures {

    private AttackFixtures() {}

    /** The usual budgets: L∞ 8/255, L2 0.5. */
    static ThreatModel threat(Norm norm) {
        return ThreatModel.of(norm, norm == Norm.LINF ? 8 / 255.0 : 0.5);
    }

    /** A random 10-class linear classifier on 3×8×8 images. */
    static LinearClassifier linear10(NDManager m, long seed) {
        Rng rng = new Rng(seed);
        float[][] w = new float[10][192];
        float[] b = new float[10];
        for (int k = 0; k < 10; k++) {
            for (int j = 0; j < 192; j++) {
                w[k][j] = (float) (rng.nextDouble() - 0.5);
            }
            b[k] = (float) (rng.nextDouble() - 0.5);
        }
        return new LinearClassifier(m, w, b, new Shape(3, 8, 8));
    }

    /**
     * A scaled {@link #linear10} model, {@link #images} and the model's own labels of them, in one manager.
     *
     * @param manager holds the images and the model (tests may put more in it)
     */
    record Problem(NDManager manager, LinearClassifier model, NDArray images, NDArray labels) {}

    /**
     * Runs {@code test} on the compute thread with a fresh problem, whose manager it closes afterwards.
     *
     * @param modelSeed seeds {@link #linear10}
     * @param scale scales its logits (small: clean images near the boundaries)
     * @param n images
     * @param imageSeed seeds {@link #images}
     */
    static void onProblem(long modelSeed, float scale, int n, long imageSeed, Consumer<Problem> test) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear10(m, modelSeed).scaled(scale);
                NDArray x = images(m, n, imageSeed);
                test.accept(new Problem(m, f, x, f.predict(x)));
            }
        });
    }

    /**
     * @param runs how often to run {@code attack}
     * @return the number of arrays open in {@code m} after each run (the run's adversarial images closed)
     */
    static int[] liveArraysAfterRuns(NDManager m, int runs, Supplier<AttackResult> attack) {
        int[] counts = new int[runs];
        for (int i = 0; i < runs; i++) {
            attack.get().adversarial().close();
            counts[i] = NDManagers.countArrays(m);
        }
        return counts;
    }

    /** A two-class linear classifier on 3×8×8 images whose class-1 minus class-0 weight is v. */
    static LinearClassifier twoClass(NDManager m, float[] v) {
        return new LinearClassifier(m, new float[][] {new float[v.length], v}, new float[2], new Shape(3, 8, 8));
    }

    /** Random images in [0,1] with some pixels at the edges of the box. */
    static NDArray images(NDManager m, int n, long seed) {
        return new Rng(seed).uniform(m, new Shape(n, 3, 8, 8), -0.2, 1.2).clip(0, 1);
    }

    /**
     * A classifier with gradient masking: it rounds its input to 8 bits before the model, so the gradient of
     * anything with respect to the input is exactly zero, while the decision is (almost) unchanged.
     */
    static final class Rounding extends DelegatingClassifier {

        Rounding(Classifier inner) {
            super(inner);
        }

        @Override
        public NDArray logits(NDArray images) {
            return inner().logits(Ops.div(Ops.mul(images, 255).round(), 255)); // constants safe on the autograd path
        }

        @Override
        public String name() {
            return "rounded-" + inner().name();
        }
    }

    /**
     * A problem only a gradient-free attack can solve: 8-bit images near one base image, a two-class
     * linear model behind an 8-bit rounding step (so every input gradient is exactly zero) whose clean
     * margins are about 30% of the largest change an L∞ 8/255 perturbation can make. The worst case
     * fools every image; a random point of the ball fools none (it moves the margin by a few percent).
     *
     * @param bytes the images as CHW bytes (n × 192)
     * @param labels all 0
     * @param model the masked classifier
     */
    record Masked(byte[] bytes, int[] labels, Classifier model) {

        NDArray images(NDManager m) {
            float[] v = new float[bytes.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (bytes[i] & 0xFF) / 255f;
            }
            return m.create(v, new Shape(labels.length, 3, 8, 8));
        }
    }

    static Masked masked(NDManager m, int n, long seed) {
        Rng rng = new Rng(seed);
        float[] v = new float[192];
        double l1 = 0;
        for (int j = 0; j < 192; j++) {
            v[j] = (float) (rng.nextDouble() - 0.5);
            l1 += Math.abs(v[j]);
        }
        byte[] base = new byte[192];
        for (int j = 0; j < 192; j++) {
            base[j] = (byte) (64 + rng.nextInt(128));
        }
        byte[] bytes = new byte[n * 192];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 192; j++) {
                bytes[i * 192 + j] = (byte) ((base[j] & 0xFF) + rng.nextInt(3) - 1);
                mean += v[j] * (bytes[i * 192 + j] & 0xFF) / 255.0 / n;
            }
        }
        // class 1 logit = v·x + b; margin of class 0 = −(v·x + b) ≈ 0.3·ε·‖v‖₁
        float b = (float) (-mean - 0.3 * (8 / 255.0) * l1);
        LinearClassifier lin = new LinearClassifier(m, new float[][] {new float[192], v}, new float[] {0f, b},
                new Shape(3, 8, 8));
        return new Masked(bytes, new int[n], new Rounding(lin));
    }
}
