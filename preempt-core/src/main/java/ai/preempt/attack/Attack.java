package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.preempt.model.Classifier;
import ai.preempt.threat.ThreatModel;

/**
 * An evasion attack: given clean images and their labels, look for images inside the threat model's
 * ball that the classifier mislabels. One final class per attack, each with a builder whose defaults
 * are the published ones; {@code toString()} prints the settings.
 */
public interface Attack {

    /**
     * @param f the classifier under attack
     * @param x clean images, N×C×H×W in [0,1]
     * @param y labels (int64, N)
     * @return the adversarial batch (always inside the ball and [0,1]) and per-image success
     */
    AttackResult perturb(Classifier f, NDArray x, NDArray y);

    /** @return the threat model the attack respects */
    ThreatModel threat();

    /** @return a short name such as "pgd" */
    String name();
}
