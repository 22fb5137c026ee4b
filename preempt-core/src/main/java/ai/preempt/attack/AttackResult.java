package ai.preempt.attack;

import ai.djl.ndarray.NDArray;

/**
 * What an attack returns for a batch.
 *
 * @param adversarial the attacked images, inside the ball and [0,1]; for images where the attack failed,
 *     the attack's last (or best) point
 * @param success per image: the label changed (untargeted) or the target was reached (targeted)
 * @param predictions per image: the classifier's label on {@code adversarial}
 */
public record AttackResult(NDArray adversarial, boolean[] success, long[] predictions) {

    /** @return how many images the attack fooled */
    public int successes() {
        int s = 0;
        for (boolean b : success) {
            s += b ? 1 : 0;
        }
        return s;
    }

    /**
     * Robustness per image: correctly classified before the attack and not fooled by it.
     *
     * @param correct per image: the clean prediction equals the true label
     * @return per image: {@code correct[i] && !success[i]}
     */
    public boolean[] robust(boolean[] correct) {
        if (correct.length != success.length) {
            throw new IllegalArgumentException("expected " + success.length + " flags, got " + correct.length);
        }
        boolean[] r = new boolean[correct.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = correct[i] && !success[i];
        }
        return r;
    }

    /** @return how many images are {@link #robust(boolean[]) robust} */
    public int robustCount(boolean[] correct) {
        return count(robust(correct));
    }

    /** @return how many entries are true */
    public static int count(boolean[] flags) {
        int k = 0;
        for (boolean b : flags) {
            k += b ? 1 : 0;
        }
        return k;
    }

    /**
     * @param predictions clean predictions per image
     * @param labels true labels per image
     * @return per image: prediction equals label
     */
    public static boolean[] correct(long[] predictions, long[] labels) {
        boolean[] c = new boolean[predictions.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = predictions[i] == labels[i];
        }
        return c;
    }
}
