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
}
