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
 * @param attackSteps PGD steps used to make training points (adv, preempt); ignored when fast
 * @param fast single-step FGSM from a random start (Wong, Rice &amp; Kolter 2020) instead of PGD
 * @param fgsmStep with fast: the FGSM step in units of ε (Wong et al.: 1.25; smaller steps make catastrophic
 *     overfitting, the sudden loss of PGD robustness of single-step training, less likely)
 * @param validation held-out training images for early stopping (0 = none; the last epoch is kept)
 * @param trainLimit use only this many training images (0 = all), for quick experiments and tests
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
        boolean fast,
        double fgsmStep,
        int validation,
        int trainLimit,
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
        private boolean fast;
        private double fgsmStep = 1.25;
        private int validation;
        private int trainLimit;
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
        public Builder optFast(boolean v) { fast = v; return this; }
        /** @param v the FGSM step in units of ε (default 1.25) */
        public Builder optFgsmStep(double v) { fgsmStep = v; return this; }
        public Builder optValidation(int v) { validation = v; return this; }
        public Builder optTrainLimit(int v) { trainLimit = v; return this; }
        public Builder optSeed(long v) { seed = v; return this; }

        /** @return the validated configuration */
        public TrainConfig build() {
            return new TrainConfig(method, arch, norm, eps, sigma, epochs, batch, lr, schedule, momentum,
                    weightDecay, attackSteps, fast, fgsmStep, validation, trainLimit, seed);
        }
    }
}
