package ai.preempt.train;

import java.util.Arrays;
import java.util.Locale;

/** Training methods. */
public enum Method {
    /** Plain empirical risk minimisation on augmented clean images. */
    STANDARD,
    /** Adversarial training (Madry et al.): train on PGD-K points, or FGSM from a random start when fast. */
    ADV,
    /** Preemptively robust training, the paper's Algorithm 2. */
    PREEMPT,
    /** Gaussian noise augmentation for randomized smoothing (Cohen et al. 2019). */
    GAUSSIAN;

    /** @return the method named {@code s} (case-insensitive) */
    public static Method parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown training method '" + s + "'; known: "
                    + Arrays.toString(Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toArray()));
        }
    }

    /** @return the lower-case name */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
