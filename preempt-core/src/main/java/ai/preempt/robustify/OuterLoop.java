package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import java.util.Arrays;

/**
 * The outer loop shared by both robustifiers (and by the reconstruction of Algorithm 3, which ascends
 * instead of descending): labels, seeding, T steps of "robust loss and first-order gradient, then one
 * optimiser update". Subclasses own the parametrisation and the update rule.
 */
abstract class OuterLoop implements Robustifier {

    protected final RobustifyConfig cfg;
    /** +1 descends the robust loss (robustification), −1 ascends it (reconstruction). */
    protected final float direction;
    private final RobustLoss robustLoss;

    OuterLoop(RobustifyConfig cfg, boolean ascend) {
        this.cfg = cfg;
        this.direction = ascend ? -1f : 1f;
        this.robustLoss = new RobustLoss(cfg);
    }

    @Override
    public RobustifyConfig config() {
        return cfg;
    }

    /** Optimiser state for one batch. */
    interface State extends AutoCloseable {
        /** @return the tensor being optimised */
        NDArray param();

        /** @return x_s as a differentiable function of a parameter tensor */
        NDArray image(NDArray param);

        /** Applies one update with the gradient of the robust loss (already signed for descent). */
        void update(NDArray grad);

        @Override
        void close();
    }

    /** @return a fresh optimiser state starting at x_start (inside B_δ(x0)) */
    abstract State init(NDArray x0, NDArray xStart);

    @Override
    public RobustifyResult robustify(Classifier f, NDArray x0, NDArray labels) {
        return PreemptEngine.call(() -> {
            int n = (int) x0.getShape().get(0);
            NDArray y = labels == null ? f.predict(x0) : labels.toType(DataType.INT64, false);
            long[] yArr = y.toLongArray();
            Rng rng = Rng.forBatch(cfg.seed(), x0);
            float[] loss = new float[n];
            long[] passes = new long[n];
            if (cfg.delta() == 0 || cfg.outerSteps() == 0) {
                return new RobustifyResult(x0.duplicate(), yArr, loss, passes);
            }
            var outer = cfg.adversary().withEps(cfg.delta());
            NDArray start = Scopes.keep(() -> outer.project(x0, outer.randomStart(x0, cfg.outerStart(), rng)));
            try (State state = init(x0, start)) {
                start.close();
                for (int t = 0; t < cfg.outerSteps(); t++) {
                    float[] stepLoss = Scopes.keepAll(() -> {
                        Gradients.LossGrad lg = robustLoss.evaluate(f, state.param(), state::image, y, rng);
                        state.update(direction == 1f ? lg.grad() : lg.grad().neg());
                        return lg.loss().toFloatArray();
                    });
                    System.arraycopy(stepLoss, 0, loss, 0, n);
                }
                Arrays.fill(passes, cfg.passesPerImage());
                NDArray xs = Scopes.keep(() -> state.image(state.param()).duplicate());
                return new RobustifyResult(xs, yArr, loss, passes);
            }
        });
    }

}
