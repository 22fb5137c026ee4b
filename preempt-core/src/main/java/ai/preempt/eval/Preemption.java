package ai.preempt.eval;

import java.util.Locale;

/** Which images the adversary receives: the originals, or the robustified ones. */
public enum Preemption {
    /** No protection: x_s = x_o. */
    NONE,
    /** Algorithm 1. */
    OURS;

    /** @return the preemption named {@code s} ("none" or "ours") */
    public static Preemption parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "ours" -> OURS;
            default -> throw new IllegalArgumentException("unknown preemption '" + s + "': use none or ours");
        };
    }

    /** @return "None" or "Ours", as in the paper's tables */
    public String title() {
        return this == NONE ? "None" : "Ours";
    }
}
