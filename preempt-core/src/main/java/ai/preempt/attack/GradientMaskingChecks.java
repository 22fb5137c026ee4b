package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import java.util.ArrayList;
import java.util.List;

/**
 * The sanity checks AutoAttack's authors run to spot evaluations that gradient attacks cannot be trusted
 * on: a randomised model (two forward passes on the same batch differ), images whose loss gradient is
 * exactly zero (e.g. a rounding or other non-differentiable step in front), and the black-box Square
 * attack fooling images every gradient-based component failed on.
 */
public final class GradientMaskingChecks {

    /** Logit differences above this count as a randomised model. */
    public static final double RANDOMISED_TOLERANCE = 1e-5;

    private GradientMaskingChecks() {}

    /**
     * Probe of one batch.
     *
     * @param maxLogitDifference the largest |Δ logit| between two forward passes on the batch
     * @param zeroGradient per image, the gradient of the cross-entropy at the clean image is exactly zero
     */
    public record Probe(double maxLogitDifference, boolean[] zeroGradient) {}

    /**
     * What the checks found over a whole evaluation.
     *
     * @param randomised two forward passes differed by more than {@link #RANDOMISED_TOLERANCE}
     * @param maxLogitDifference the largest difference seen
     * @param zeroGradientImages correctly classified images whose gradient is exactly zero
     * @param checkedImages how many correctly classified images were probed
     * @param squareAfterGradientAttacks images only Square fooled, after every gradient-based component failed
     * @param warnings one sentence per raised flag; empty when nothing looks masked
     */
    public record Report(boolean randomised, double maxLogitDifference, int zeroGradientImages, int checkedImages,
            int squareAfterGradientAttacks, List<String> warnings) {

        /** @return true when any flag is raised */
        public boolean suspicious() {
            return !warnings.isEmpty();
        }
    }

    /** Runs two forward passes and one gradient of the cross-entropy on a batch. */
    public static Probe probe(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray a = f.logits(x);
                NDArray b = f.logits(x);
                double diff = a.sub(b).abs().max().getFloat();
                NDArray g = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y)).grad();
                long n = x.getShape().get(0);
                float[] gmax = g.abs().reshape(n, -1).max(new int[] {1}).toFloatArray();
                boolean[] zero = new boolean[(int) n];
                for (int i = 0; i < n; i++) {
                    zero[i] = gmax[i] == 0f;
                }
                return new Probe(diff, zero);
            }
        });
    }

    /**
     * @param maxLogitDifference the largest difference between two forward passes
     * @param zeroGradientImages correctly classified images with a zero gradient
     * @param checkedImages correctly classified images probed
     * @param squareOnly images fooled by Square after every gradient-based component failed
     * @return the report with its warnings
     */
    public static Report report(double maxLogitDifference, int zeroGradientImages, int checkedImages,
            int squareOnly) {
        List<String> w = new ArrayList<>();
        boolean randomised = maxLogitDifference > RANDOMISED_TOLERANCE;
        if (randomised) {
            w.add(String.format(java.util.Locale.ROOT, "the model's output changes between two forward passes "
                    + "(max |diff| %.3g): a randomised defence needs EOT; gradient attacks may be unreliable",
                    maxLogitDifference));
        }
        if (zeroGradientImages > 0) {
            w.add(zeroGradientImages + " of " + checkedImages + " correctly classified images have an exactly "
                    + "zero gradient: gradient-based attacks cannot work on them (gradient masking?)");
        }
        if (squareOnly > 0) {
            w.add("Square, a black-box attack, fooled " + squareOnly + " images every gradient-based attack "
                    + "failed on: a sign of gradient masking");
        }
        return new Report(randomised, maxLogitDifference, zeroGradientImages, checkedImages, squareOnly,
                List.copyOf(w));
    }
}
