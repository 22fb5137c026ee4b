package ai.preempt.train;

import ai.preempt.threat.Norm;

/**
 * Everything that determines a training run. Two runs with equal configurations (and equal data) give
 * bit-identical weights.
 *
 * @param method training method
 * @param arch architecture id
 * @param norm threat norm for adv / preempt
 * @param eps adversary budget ε for adv / preempt (and δ = ε for Algorithm 2's first step)
 * @param sigma Gaussian noise level for gaussian
 * @param epochs number of epochs
 * @param batch batch size
 * @param lr peak learning rate
 * @param schedule learning-rate schedule
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param attackSteps PGD steps used to make training points (adv; preempt's x_adv); ignored when fast
 * @param attackStep step of that PGD in units of ε (Madry et al.: 1/4 with 10 steps; fewer steps need a larger one)
 * @param robustSteps preempt: steps K of Algorithm 2's first PGD, which moves x toward a robust point x̂
 * @param robustStep preempt: step of that PGD in units of δ = ε
 * @param fast single-step FGSM from a random start (Wong, Rice &amp; Kolter 2020) instead of PGD
 * @param fgsmStep with fast: the FGSM step in units of ε (Wong et al.: 1.25; smaller steps make catastrophic
 *     overfitting, the sudden loss of PGD robustness of single-step training, less likely)
 * @param validation held-out training images for early stopping (0 = none; the last epoch is kept)
 * @param trainLimit use only this many training images (0 = all), for quick experiments and tests
 * @param init parameters file to fine-tune from (null: fresh Kaiming-normal weights)
 * @param robustifiedValidation preempt: validation also robustifies this many held-out images (Algorithm 1 in fast
 *     mode, 8-bit, the path {@code preempt eval} takes) and attacks them with grey-box PGD-20; early stopping then
 *     keeps the epoch with the best such accuracy (0 = none)
 * @param robustifiedAttack the grey-box attack of that validation, a {@link ai.preempt.attack.NamedAttacks} name
 *     ("pgd" = PGD-20 by default; "apgd-ce" when PGD overstates the model)
 * @param validateEvery validate after every this many epochs (and always after the last)
 * @param checkpointBatches also checkpoint every this many batches inside an epoch (0 = only at epoch ends); does
 *     not change the result, so a resumed run may use another value
 * @param seed seeds initial weights, shuffling, augmentation and attacks
 */
public record TrainConfig(
        Method method,
        String arch,
        Norm norm,
        double eps,
        double sigma,
        int epochs,
        int batch,
        double lr,
        Schedule schedule,
        double momentum,
        double weightDecay,
        int attackSteps,
        double attackStep,
        int robustSteps,
        double robustStep,
        boolean fast,
        double fgsmStep,
        int validation,
        int trainLimit,
        String init,
        int robustifiedValidation,
        String robustifiedAttack,
        int validateEvery,
        int checkpointBatches,
        long seed) {

    /** Validates the configuration; throws IllegalArgumentException with one sentence. */
    public TrainConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("--lr must be positive, got " + lr);
        }
        if ((method == Method.ADV || method == Method.PREEMPT) && !(eps > 0 && eps <= 1)) {
            throw new IllegalArgumentException("--eps must lie in (0, 1], got " + eps);
        }
        if (!(fgsmStep > 0 && fgsmStep <= 2)) {
            throw new IllegalArgumentException("--fgsm-step must lie in (0, 2] (units of eps), got " + fgsmStep);
        }
        if (method == Method.GAUSSIAN && !(sigma > 0)) {
            throw new IllegalArgumentException("--sigma must be positive, got " + sigma);
        }
        if (validation < 0 || trainLimit < 0) {
            throw new IllegalArgumentException("--validation and --limit must not be negative");
        }
        if (attackSteps < 1 || robustSteps < 0) {
            throw new IllegalArgumentException("--attack-steps must be at least 1 and --robust-steps not negative");
        }
        if (!(attackStep > 0 && attackStep <= 2) || !(robustStep > 0 && robustStep <= 2)) {
            throw new IllegalArgumentException("--attack-step and --robust-step must lie in (0, 2] (units of eps), got "
                    + attackStep + " and " + robustStep);
        }
        if (robustifiedValidation < 0 || robustifiedValidation > validation) {
            throw new IllegalArgumentException("--robustified-validation must lie in [0, --validation], got "
                    + robustifiedValidation);
        }
        robustifiedAttack = robustifiedAttack == null ? "pgd" : robustifiedAttack; // states written before it existed
        ai.preempt.attack.NamedAttacks.parse(robustifiedAttack, 0); // rejects an unknown name
        if (validateEvery < 1 || checkpointBatches < 0) {
            throw new IllegalArgumentException("--validate-every must be at least 1 and --checkpoint-batches not negative");
        }
    }

    /** @return this configuration with {@code checkpointBatches} replaced (it does not change the result) */
    public TrainConfig withCheckpointBatches(int v) {
        return new TrainConfig(method, arch, norm, eps, sigma, epochs, batch, lr, schedule, momentum, weightDecay,
                attackSteps, attackStep, robustSteps, robustStep, fast, fgsmStep, validation, trainLimit, init,
                robustifiedValidation, robustifiedAttack, validateEvery, v, seed);
    }

    /** @return a builder with the paper's defaults (SGD 0.9, wd 5e-4, batch 128, lr 0.1, step decay) */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; see the record components for meanings. */
    public static final class Builder {
        private Method method = Method.STANDARD;
        private String arch = "resnet20";
        private Norm norm = Norm.LINF;
        private double eps = 8 / 255.0;
        private double sigma = 0.25;
        private int epochs = 10;
        private int batch = 128;
        private double lr = 0.1;
        private Schedule schedule = Schedule.STEP;
        private double momentum = 0.9;
        private double weightDecay = 5e-4;
        private int attackSteps = 10;
        private double attackStep = 0.25;
        private int robustSteps = 10;
        private double robustStep = 0.25;
        private boolean fast;
        private double fgsmStep = 1.25;
        private int validation;
        private int trainLimit;
        private String init;
        private int robustifiedValidation;
        private String robustifiedAttack = "pgd";
        private int validateEvery = 1;
        private int checkpointBatches;
        private long seed;

        public Builder setMethod(Method v) { method = v; return this; }
        public Builder optArch(String v) { arch = v; return this; }
        public Builder optNorm(Norm v) { norm = v; return this; }
        public Builder optEps(double v) { eps = v; return this; }
        public Builder optSigma(double v) { sigma = v; return this; }
        public Builder optEpochs(int v) { epochs = v; return this; }
        public Builder optBatch(int v) { batch = v; return this; }
        public Builder optLr(double v) { lr = v; return this; }
        public Builder optSchedule(Schedule v) { schedule = v; return this; }
        public Builder optMomentum(double v) { momentum = v; return this; }
        public Builder optWeightDecay(double v) { weightDecay = v; return this; }
        public Builder optAttackSteps(int v) { attackSteps = v; return this; }
        /** @param v the x_adv PGD step in units of ε (default 1/4) */
        public Builder optAttackStep(double v) { attackStep = v; return this; }
        /** @param v steps K of Algorithm 2's first (targeted) PGD (default 10) */
        public Builder optRobustSteps(int v) { robustSteps = v; return this; }
        /** @param v its step in units of ε (default 1/4) */
        public Builder optRobustStep(double v) { robustStep = v; return this; }
        public Builder optFast(boolean v) { fast = v; return this; }
        /** @param v the FGSM step in units of ε (default 1.25) */
        public Builder optFgsmStep(double v) { fgsmStep = v; return this; }
        public Builder optValidation(int v) { validation = v; return this; }
        public Builder optTrainLimit(int v) { trainLimit = v; return this; }
        /** @param v parameters file to fine-tune from (default: none, fresh weights) */
        public Builder optInit(String v) { init = v; return this; }
        public Builder optRobustifiedValidation(int v) { robustifiedValidation = v; return this; }
        /** @param v the attack of the robustified validation (default "pgd", PGD-20) */
        public Builder optRobustifiedAttack(String v) { robustifiedAttack = v; return this; }
        public Builder optValidateEvery(int v) { validateEvery = v; return this; }
        public Builder optCheckpointBatches(int v) { checkpointBatches = v; return this; }
        public Builder optSeed(long v) { seed = v; return this; }

        /** @return the validated configuration */
        public TrainConfig build() {
            return new TrainConfig(method, arch, norm, eps, sigma, epochs, batch, lr, schedule, momentum,
                    weightDecay, attackSteps, attackStep, robustSteps, robustStep, fast, fgsmStep, validation,
                    trainLimit, init, robustifiedValidation, robustifiedAttack, validateEvery, checkpointBatches, seed);
        }
    }
}
