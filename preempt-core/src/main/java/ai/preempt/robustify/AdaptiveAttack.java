package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Algorithm 4, the adaptive white-box attack on robustified images: reconstruct x_rec from x_s
 * (Algorithm 3), then attack x_rec with budget ε' for each ε' in {ε/4, ε/2, 3ε/4, ε}. An image counts as
 * robust against a given ε' iff f(x_s) = y and (f(x_adv) = y or ‖x_adv − x_o‖ > ε): an attack that moved
 * the image further than ε from the <em>true original</em> is outside the threat model. The worst case
 * is the per-image conjunction over all ε'.
 */
public final class AdaptiveAttack {

    /** The fractions of ε swept. */
    public static final double[] FRACTIONS = {0.25, 0.5, 0.75, 1.0};

    private final Reconstructor reconstructor;
    private final ThreatModel threat;
    private final Function<ThreatModel, Attack> attackFor;

    /**
     * @param cfg robustification settings (the adversary knows them)
     * @param attackFor the attack to run with budget ε' (e.g. PGD-20 with step ε'/4, or AutoAttack)
     */
    public AdaptiveAttack(RobustifyConfig cfg, Function<ThreatModel, Attack> attackFor) {
        this.reconstructor = new Reconstructor(cfg);
        this.threat = cfg.adversary();
        this.attackFor = attackFor;
    }

    /**
     * Per-image results.
     *
     * @param robustPerBudget [budget index][image]: robust against that ε'
     * @param worstCase per image: robust against every ε'
     * @param reconstructionError per image: ‖x_rec − x_o‖ in the threat norm
     */
    public record Result(boolean[][] robustPerBudget, boolean[] worstCase, float[] reconstructionError) {}

    /**
     * @param f the classifier
     * @param x0 true originals (only for judging success; the adversary never sees them)
     * @param xs robustified images
     * @param y true labels
     */
    public Result run(Classifier f, NDArray x0, NDArray xs, NDArray y) {
        return PreemptEngine.call(() -> {
            NDArray xrec = reconstructor.reconstruct(f, xs);
            Result r = attackFrom(f, x0, xs, xrec, y);
            xrec.close();
            return r;
        });
    }

    /**
     * The attack part of Algorithm 4 from a reconstruction already made (so several attacks can share one).
     *
     * @param xrec the reconstruction of x_o from x_s (see {@link Reconstructor})
     */
    public Result attackFrom(Classifier f, NDArray x0, NDArray xs, NDArray xrec, NDArray y) {
        return PreemptEngine.call(() -> {
            int n = (int) x0.getShape().get(0);
            long[] labels = y.toType(DataType.INT64, false).toLongArray();
            long[] cleanPred = Scopes.keepAll(() -> f.predict(xs).toLongArray());
            float[] recErr = Scopes.keepAll(() -> threat.distance(xrec, x0).toFloatArray());
            boolean[][] per = new boolean[FRACTIONS.length][n];
            boolean[] worst = new boolean[n];
            for (int i = 0; i < n; i++) {
                worst[i] = cleanPred[i] == labels[i];
            }
            for (int b = 0; b < FRACTIONS.length; b++) {
                ThreatModel budget = threat.withEps(threat.eps() * FRACTIONS[b]);
                AttackResult a = attackFor.apply(budget).perturb(f, xrec, y);
                float[] dist = Scopes.keepAll(() -> threat.distance(a.adversarial(), x0).toFloatArray());
                for (int i = 0; i < n; i++) {
                    boolean outside = dist[i] > threat.eps() + 1e-6;
                    per[b][i] = cleanPred[i] == labels[i] && (a.predictions()[i] == labels[i] || outside);
                    worst[i] &= per[b][i];
                }
                a.adversarial().close();
            }
            return new Result(per, worst, recErr);
        });
    }

    /** @return the ε' values swept */
    public List<Double> budgets() {
        List<Double> l = new ArrayList<>();
        for (double f : FRACTIONS) {
            l.add(threat.eps() * f);
        }
        return l;
    }
}
