package ai.preempt.attack;

import ai.preempt.threat.ThreatModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The attacks a user can name ({@code --attacks}, {@code --robustified-attack}), each as a function of the budget:
 * "pgd" (PGD-20, step ε/4, one random start), "pgd10" (the same with 10 restarts), "aa" (AutoAttack standard) and
 * AutoAttack's components one by one with their standard settings, "apgd-ce", "apgd-t", "fab-t" and "square" (each
 * on its own, not only on what the earlier ones left: run them side by side to see which one breaks a defence).
 */
public final class NamedAttacks {

    /** Every name {@link #parse} knows, in a stable order. */
    public static final List<String> NAMES = List.of("pgd", "pgd10", "aa", "apgd-ce", "apgd-t", "fab-t", "square");

    private NamedAttacks() {}

    /**
     * @param list comma-separated names from {@link #NAMES}
     * @param seed seeds every attack
     * @return name → attack for a budget, in the order given
     * @throws IllegalArgumentException for an unknown name or an empty list
     */
    public static Map<String, Function<ThreatModel, Attack>> parse(String list, long seed) {
        Map<String, Function<ThreatModel, Attack>> m = new LinkedHashMap<>();
        for (String raw : list.split(",")) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            switch (name) {
                case "pgd" -> m.put(name, t -> Pgd.builder().setThreat(t).optSeed(seed).build());
                case "pgd10" -> m.put(name, t -> Pgd.builder().setThreat(t).optRestarts(10).optSeed(seed).build());
                case "aa" -> m.put(name, t -> AutoAttack.builder().setThreat(t).optSeed(seed).build());
                case "apgd-ce", "apgd-t", "fab-t", "square" -> m.put(name, t -> AutoAttack.builder().setThreat(t)
                        .optSeed(seed).build().components().stream().filter(a -> a.name().equals(name)).findFirst()
                        .orElseThrow());
                default -> throw new IllegalArgumentException("unknown attack '" + raw.trim() + "'; known: "
                        + String.join(", ", NAMES));
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("--attacks needs at least one attack");
        }
        return m;
    }
}
