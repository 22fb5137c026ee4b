package ai.preempt.cli;

import ai.preempt.attack.Attack;
import ai.preempt.attack.Pgd;
import ai.preempt.threat.ThreatModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The attacks {@code --attacks} can name, each as a function of the budget. */
final class AttackNames {

    private AttackNames() {}

    /**
     * @param list comma-separated names: "pgd" (PGD-20, step ε/4), "pgd10" (the same with 10 restarts) and
     *     "aa" (AutoAttack standard)
     * @param seed seeds every attack
     * @return name → attack for a budget, in the order given
     */
    static Map<String, Function<ThreatModel, Attack>> parse(String list, long seed) {
        Map<String, Function<ThreatModel, Attack>> m = new LinkedHashMap<>();
        for (String raw : list.split(",")) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "pgd" -> m.put(name, t -> Pgd.builder().setThreat(t).optSeed(seed).build());
                case "pgd10" -> m.put(name, t -> Pgd.builder().setThreat(t).optRestarts(10).optSeed(seed).build());
                case "aa" -> m.put(name, t -> ai.preempt.attack.AutoAttack.builder().setThreat(t).optSeed(seed).build());
                default -> throw new IllegalArgumentException("unknown attack '" + raw + "'; known: pgd, pgd10, aa");
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("--attacks needs at least one attack");
        }
        return m;
    }
}
