package ai.preempt.train;

import ai.djl.ndarray.NDArray;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;

/**
 * Makes the points a training step learns from, per {@link Method}. The model is used in evaluation
 * mode and without weight gradients while the points are made.
 */
final class TrainingPoints {

    private final TrainConfig cfg;
    private final ThreatModel threat;

    TrainingPoints(TrainConfig cfg) {
        this.cfg = cfg;
        this.threat = cfg.method() == Method.ADV || cfg.method() == Method.PREEMPT
                ? ThreatModel.of(cfg.norm(), cfg.eps()) : null;
    }

    NDArray make(Classifier f, NDArray x, NDArray y, Rng rng) {
        return switch (cfg.method()) {
            case STANDARD -> x.duplicate();
            case GAUSSIAN -> Scopes.keep(() -> x.add(rng.normal(x.getManager(), x.getShape()).mul(cfg.sigma())));
            case ADV -> adversarial(f, x, y, rng);
            case PREEMPT -> {
                // Algorithm 2: first move toward a robust point by *minimising* CE toward the true label
                // inside B_δ(x) (δ = ε); the reference's training script runs this step untargeted
                // (it increases the loss), which contradicts the paper. We follow the paper.
                NDArray robust = towardRobust(f, x, y, rng);
                NDArray adv = adversarial(f, robust, y, rng);
                robust.close();
                yield adv;
            }
        };
    }

    /**
     * PGD-K with step {@code attackStep}·ε from a random start inside B_ε(center) ∩ [0,1], maximising CE; or,
     * when fast, FGSM from a random start with step {@code fgsmStep}·ε.
     */
    NDArray adversarial(Classifier f, NDArray center, NDArray y, Rng rng) {
        if (!cfg.fast()) {
            return Pgd.builder().setThreat(threat).optSteps(cfg.attackSteps()).optStepSize(cfg.attackStep() * cfg.eps())
                    .build().run(f, center, y, rng);
        }
        return Scopes.keep(() -> {
            NDArray start = threat.randomStart(center, RandomStart.BALL, rng);
            NDArray g = Gradients.of(start, in -> Losses.crossEntropy(f.logits(in), y)).grad();
            return threat.project(center, threat.ascentStep(start, g, cfg.fgsmStep() * threat.eps()));
        });
    }

    /**
     * Algorithm 2's first step: K-step PGD (step {@code robustStep}·δ, no random start) that descends CE toward
     * the true label inside B_δ(x) ∩ [0,1] (δ = ε), starting at x; when fast, one step of δ.
     */
    NDArray towardRobust(Classifier f, NDArray x, NDArray y, Rng rng) {
        if (!cfg.fast()) {
            // optTargeted: the step follows −∇CE(f(·), y), i.e. it minimises the loss of the given (true) label
            return Pgd.builder().setThreat(threat).optSteps(cfg.robustSteps()).optStepSize(cfg.robustStep() * cfg.eps())
                    .optTargeted(true).optRandomStart(RandomStart.NONE).build().run(f, x, y, rng);
        }
        return Scopes.keep(() -> {
            NDArray g = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y)).grad();
            return threat.project(x, threat.ascentStep(x, g.neg(), threat.eps()));
        });
    }
}
