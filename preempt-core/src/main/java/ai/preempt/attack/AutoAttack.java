package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * AutoAttack (Croce &amp; Hein, ICML 2020), version "standard": APGD-CE → APGD-T (9 targets) → FAB-T
 * (9 targets) → Square (5000 queries). Only correctly classified images are attacked; each component runs
 * only on the images every earlier component failed on, and an image is robust only if all fail.
 * Unlike the reference, which seeds from the clock, every component is seeded from {@link
 * Builder#optSeed}. {@link ai.preempt.eval.AutoAttackEvaluation} runs it over a data set with a resumable
 * state file.
 */
public final class AutoAttack extends BaseAttack {

    /** Marks an image no component fooled (or one misclassified before any attack). */
    public static final int NONE = -1;

    private final List<Attack> components;
    private final long seed;
    private final String version;

    private AutoAttack(Builder b, List<Attack> components, String version) {
        super("autoattack", b);
        this.components = List.copyOf(components);
        this.seed = b.seed;
        this.version = version;
    }

    /** @return a builder; {@link Builder#setThreat} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the components in the order they run */
    public List<Attack> components() {
        return components;
    }

    /** @return "standard", or "custom" when the components were given */
    public String version() {
        return version;
    }

    /**
     * Per-image outcome of the ensemble on a batch.
     *
     * @param result the adversarial batch, per-image success (label changed, or misclassified clean) and labels
     * @param cleanCorrect per image, the clean image was classified correctly
     * @param fooledBy per image, the index of the component that fooled it, or {@link #NONE}
     */
    public record Result(AttackResult result, boolean[] cleanCorrect, int[] fooledBy) {

        /** @return how many images component {@code c} fooled */
        public int successes(int c) {
            int s = 0;
            for (int v : fooledBy) {
                s += v == c ? 1 : 0;
            }
            return s;
        }
    }

    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return run(f, x, y).result();
    }

    /** Runs the ensemble on a batch and says which component fooled which image. */
    public Result run(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            Outcome out = new Outcome(x, y);
            long[] clean;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                clean = f.predict(x).toLongArray();
            }
            boolean[] wrong = PerImage.differs(clean, out.labels());
            out.skip(wrong);
            int[] fooledBy = new int[clean.length];
            java.util.Arrays.fill(fooledBy, NONE);
            for (int c = 0; c < components.size() && !out.done(); c++) {
                int component = c;
                out.attackRemaining((todo, idx) -> {
                    AttackResult r = components.get(component).perturb(f, PerImage.rows(x, todo),
                            PerImage.rows(y, todo));
                    for (int k = 0; k < idx.length; k++) {
                        if (r.success()[k]) {
                            fooledBy[idx[k]] = component;
                        }
                    }
                    return new Outcome.Part(r.adversarial(), r.success());
                });
            }
            return new Result(out.finish(f), PerImage.not(wrong), fooledBy);
        });
    }

    @Override
    public String toString() {
        return "AutoAttack-" + version + "(" + threat.describe() + ", seed=" + seed + ": "
                + components.stream().map(Object::toString).collect(Collectors.joining(" -> ")) + ")";
    }

    /**
     * Builder of the "standard" version with its published settings; the iteration, target and query
     * counts can be lowered (e.g. for tests), or the components replaced altogether.
     */
    public static final class Builder extends SeededBuilder<Builder, AutoAttack> {

        private int iterations = 100;
        private int targets = 9;
        private int queries = 5000;
        private List<Attack> components;

        private Builder() {
            super("AutoAttack");
        }

        /** Iterations of APGD-CE, APGD-T and FAB-T (default 100). */
        public Builder optIterations(int n) {
            this.iterations = n;
            return this;
        }

        /** Target classes of APGD-T and FAB-T (default 9). */
        public Builder optTargetClasses(int n) {
            this.targets = n;
            return this;
        }

        /** Square's query budget (default 5000). */
        public Builder optSquareQueries(int q) {
            this.queries = q;
            return this;
        }

        /** Replaces the standard components (version "custom"); all must use the builder's threat model. */
        public Builder optComponents(List<Attack> attacks) {
            this.components = new ArrayList<>(attacks);
            return this;
        }

        @Override
        AutoAttack create() {
            if (components != null) {
                for (Attack a : components) {
                    if (!a.threat().equals(threat)) {
                        throw new IllegalArgumentException(a.name() + " attacks " + a.threat().describe()
                                + ", not " + threat.describe());
                    }
                }
                return new AutoAttack(this, components, "custom");
            }
            List<Attack> std = List.of(
                    ApgdCe.builder().setThreat(threat).optIterations(iterations).optSeed(seed).build(),
                    ApgdT.builder().setThreat(threat).optIterations(iterations).optTargetClasses(targets)
                            .optSeed(seed).build(),
                    FabT.builder().setThreat(threat).optIterations(iterations).optTargetClasses(targets).build(),
                    Square.builder().setThreat(threat).optQueries(queries).optSeed(seed).build());
            return new AutoAttack(this, std, "standard");
        }
    }
}
