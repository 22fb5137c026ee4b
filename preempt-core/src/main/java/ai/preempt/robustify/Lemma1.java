package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.model.Classifier;

/**
 * Lemma 1 of the paper, measured on what is written: the robust loss CE(f(PGD_K(x_s)), ŷ) of the final
 * (8-bit) images, and whether it is at most log 2 (then softmax_ŷ ≥ 1/2 at every inner end point, so the
 * inner attack keeps the label). The paper reports the share of images meeting it over the correctly
 * classified test images (99.3% on CIFAR-10); {@link #share} computes exactly that.
 */
public final class Lemma1 {

    /** The bound: log 2. */
    public static final double BOUND = Math.log(2);

    private final RobustLoss loss;
    private final long seed;

    /**
     * @param cfg robustification settings: the inner attack (ε, K, α, start, m) defines the loss; its seed + 1
     *     seeds the measurement, so the measurement never replays the optimisation's own random starts
     */
    public Lemma1(RobustifyConfig cfg) {
        this.loss = new RobustLoss(cfg);
        this.seed = cfg.seed() + 1;
    }

    /**
     * @param f the classifier
     * @param written the images as written (on the 8-bit grid when they are saved as 8-bit files)
     * @param labels the labels robustification protected (ŷ)
     * @return per image, the robust loss of {@code written}
     */
    public float[] robustLoss(Classifier f, NDArray written, NDArray labels) {
        return loss.value(f, written, labels, seed);
    }

    /** @return the model passes {@link #robustLoss} costs per image: m·(K + 1) */
    public long passesPerImage() {
        return loss.passesPerImage();
    }

    /** @return whether a robust loss meets Lemma 1's assumption (≤ log 2) */
    public static boolean holds(double robustLoss) {
        return robustLoss <= BOUND;
    }

    /**
     * @param robustLoss per image, the robust loss of the written image
     * @param correct per image, whether the original is correctly classified (so ŷ is the true label)
     * @return the share of correctly classified images whose robust loss meets the bound, as the paper reports
     *     it; NaN when no image is correctly classified
     */
    public static double share(double[] robustLoss, boolean[] correct) {
        if (robustLoss.length != correct.length) {
            throw new IllegalArgumentException("one robust loss per image: " + robustLoss.length + " losses, "
                    + correct.length + " images");
        }
        int n = 0;
        int met = 0;
        for (int i = 0; i < correct.length; i++) {
            if (correct[i]) {
                n++;
                met += holds(robustLoss[i]) ? 1 : 0;
            }
        }
        return n == 0 ? Double.NaN : met / (double) n;
    }
}
