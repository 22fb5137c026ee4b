package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.preempt.model.Classifier;

/**
 * Collects an attack's per-image results over several runs on shrinking subsets (restarts, target
 * classes, ensemble members): each run attacks only the images not yet fooled, and an image's output is
 * the point of the run that fooled it, else of the last run that tried.
 */
final class Outcome {

    private final NDArray x;
    private final long[] labels;
    private final float[] adv;
    private final int dim;
    private final boolean[] fooled;

    /** Starts with every image unfooled and its output equal to the clean image. */
    Outcome(NDArray x, NDArray y) {
        this.x = x;
        this.labels = PerImage.longs(y);
        this.adv = x.toFloatArray();
        this.dim = (int) (x.getShape().size() / x.getShape().get(0));
        this.fooled = new boolean[labels.length];
    }

    /** @return per image, not yet fooled */
    boolean[] remaining() {
        return PerImage.not(fooled);
    }

    /** @return true when every image is fooled */
    boolean done() {
        return PerImage.all(fooled);
    }

    /** @return the labels */
    long[] labels() {
        return labels;
    }

    /** Marks images as already decided (e.g. misclassified before any attack) so later runs skip them. */
    void skip(boolean[] mask) {
        for (int i = 0; i < mask.length; i++) {
            fooled[i] |= mask[i];
        }
    }

    /**
     * Records a run on the images {@code idx} (indices into the batch).
     *
     * @param idx which images the run attacked
     * @param out the run's output for them, in the order of {@code idx}
     * @param success per attacked image, whether the run fooled it
     */
    void record(int[] idx, NDArray out, boolean[] success) {
        float[] v = out.toFloatArray();
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(v, k * dim, adv, idx[k] * dim, dim);
            fooled[idx[k]] |= success[k];
        }
    }

    /** A run's result on a subset: outputs in the subset's order and, per image, whether it was fooled. */
    record Part(NDArray adversarial, boolean[] success) {}

    /** One run on the subset {@code mask} of the batch (batch indices {@code idx}). */
    @FunctionalInterface
    interface SubsetRun {
        Part attack(boolean[] mask, int[] idx);
    }

    /** Runs {@code run} in a scope of its own on the images not yet fooled and records its result. */
    void attackRemaining(SubsetRun run) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            boolean[] todo = remaining();
            int[] idx = PerImage.indices(todo);
            Part p = run.attack(todo, idx);
            record(idx, p.adversarial(), p.success());
        }
    }

    /** @return the outputs as one batch (in the clean batch's manager, registered to the current scope) */
    NDArray adversarial() {
        return x.getManager().create(adv, x.getShape());
    }

    /** @return the attack result; success is "the classifier's label on the output differs from y" */
    AttackResult finish(Classifier f) {
        NDArray a = adversarial();
        long[] pred;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            pred = f.predict(a).toLongArray();
        }
        return new AttackResult(a, PerImage.differs(pred, labels), pred);
    }
}
