package ai.preempt.robustify;

/**
 * Per-image early exit: every {@code checkEvery} outer steps, each image whose robust loss at that step is
 * already below {@code lossThreshold} is rounded to 8 bits exactly as it would be written, attacked by PGD-K
 * with {@code restarts} random restarts, and its robust loss measured afresh; an image that no restart fools
 * and whose fresh robust loss is still below the threshold is final and leaves the batch, so the remaining
 * work shrinks. Images that are not yet candidates cost nothing extra.
 *
 * @param checkEvery outer steps between checks
 * @param restarts PGD restarts of the check (an image exits only if all fail)
 * @param lossThreshold exit only below this robust loss (Lemma 1's log 2 with a margin)
 */
public record FastMode(int checkEvery, int restarts, double lossThreshold) {

    /** The defaults: check every 5 steps with 2 restarts, exit below half of log 2. */
    public static final FastMode DEFAULT = new FastMode(5, 2, Math.log(2) / 2);

    /** Validates. */
    public FastMode {
        if (checkEvery < 1 || restarts < 1 || !(lossThreshold > 0)) {
            throw new IllegalArgumentException("fast mode needs checkEvery ≥ 1, restarts ≥ 1 and a positive threshold");
        }
    }
}
