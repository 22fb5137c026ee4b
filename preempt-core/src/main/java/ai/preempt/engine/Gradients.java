package ai.preempt.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/**
 * Input gradients of a per-image loss. Every call runs on the compute thread of {@link PreemptEngine},
 * opens one {@link GradientCollector}, differentiates a fresh copy of the input (so gradients never
 * accumulate across calls) and frees the autograd graph before returning. The results belong to the
 * caller's enclosing {@link NDScope} when there is one.
 */
public final class Gradients {

    private Gradients() {}

    private static volatile boolean gcStress = Boolean.getBoolean("preempt.gcStress");

    /**
     * Diagnostic switch (also {@code -Dpreempt.gcStress=true}): when on, every backward pass is preceded by
     * two full garbage collections, so that any tensor an autograd graph saved over memory the JVM owns
     * (see {@link Ops}) is freed before backward reads it. Slow; for tests and bug hunts only.
     */
    public static void setGcStress(boolean on) {
        gcStress = on;
    }

    /** Between forward and backward: collects garbage and lets the cleaners run when {@link #setGcStress} is on. */
    public static void stressPoint() {
        if (!gcStress) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Per-image loss values and the gradient of their sum with respect to the input. */
    public record LossGrad(NDArray loss, NDArray grad) {}

    /**
     * Evaluates {@code perImageLoss(x)} and its gradient with respect to {@code x}.
     *
     * @param x the input batch; not modified
     * @param perImageLoss maps a batch to a loss vector of length N; its sum is differentiated
     * @return loss (N) and gradient (shape of x), both in x's manager and detached from any graph
     */
    public static LossGrad of(NDArray x, Function<NDArray, NDArray> perImageLoss) {
        return PreemptEngine.call(() -> {
            NDArray loss;
            NDArray grad;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray input = x.duplicate();
                input.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray l = perImageLoss.apply(input);
                    stressPoint();
                    collector.backward(l.sum());
                    loss = l.stopGradient();
                    grad = input.getGradient().duplicate();
                }
                NDScope.unregister(loss, grad);
            }
            // hand the results to the caller's scope, if any, so an enclosing NDScope frees them
            NDScope.register(loss);
            NDScope.register(grad);
            return new LossGrad(loss, grad);
        });
    }
}
