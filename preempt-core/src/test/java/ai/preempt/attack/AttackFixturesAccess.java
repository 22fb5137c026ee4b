package ai.preempt.attack;

import ai.djl.ndarray.NDManager;

/** Opens {@link AttackFixtures}' masked-gradient problem to tests in other packages. */
public final class AttackFixturesAccess {

    private AttackFixturesAccess() {}

    /** @see AttackFixtures#masked */
    public static Masked masked(NDManager m, int n, long seed) {
        AttackFixtures.Masked p = AttackFixtures.masked(m, n, seed);
        return new Masked(p.bytes(), p.labels(), p.model());
    }

    /** The masked problem: 8-bit images, labels and the rounding classifier. */
    public record Masked(byte[] bytes, int[] labels, ai.preempt.model.Classifier model) {}
}
