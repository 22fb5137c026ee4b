package ai.preempt.threat;

import java.util.Locale;

/** The perturbation norms Preempt supports. */
public enum Norm {
    /** L∞: every pixel moves by at most ε. */
    LINF,
    /** L2: the Euclidean length of the whole perturbation is at most ε. */
    L2;

    /**
     * @param s "linf", "inf", "l-inf" or "l2" (case-insensitive)
     * @return the norm
     */
    public static Norm parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "linf", "inf", "l-inf", "l_inf" -> LINF;
            case "l2", "2" -> L2;
            default -> throw new IllegalArgumentException("unknown norm '" + s + "': use linf or l2");
        };
    }

    /** @return "linf" or "l2" */
    public String id() {
        return this == LINF ? "linf" : "l2";
    }
}
