package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.threat.ThreatModel;
import java.util.stream.IntStream;

/**
 * L2 robustification by projected gradient descent: x_s ← Π_{B_δ(x_o)}(x_s − step), then clamp to [0,1].
 * The step is scale-free by default ({@link L2Step#NORMALIZED}: β_t·δ·g/‖g‖₂, β_t cosine-decayed from β to
 * β/10) or the reference's raw β·g ({@link L2Step#RAW}).
 */
final class L2Robustifier extends OuterLoop {

    L2Robustifier(RobustifyConfig cfg, boolean ascend) {
        super(cfg, ascend);
    }

    /** @return the step size of update t for the normalised rule, in units of the gradient's direction */
    double normalizedStep(int t) {
        double progress = cfg.outerSteps() <= 1 ? 0 : t / (double) (cfg.outerSteps() - 1);
        double factor = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress));
        return cfg.lr() * factor * cfg.delta();
    }

    @Override
    State init(NDArray x0, NDArray xStart) {
        return new Projected(xStart.duplicate(), x0.duplicate());
    }

    /** Tensors: x_s itself and x_o. */
    private final class Projected extends State {
        private final ThreatModel ball = cfg.adversary().withEps(cfg.delta());

        Projected(NDArray... rows) {
            super(rows);
        }

        @Override
        NDArray image() {
            return rows[0];
        }

        @Override
        RobustLoss.Point point() {
            return new RobustLoss.Point(rows[0], g -> g);
        }

        @Override
        void update(NDArray grad, int[] t) {
            NDArray step;
            if (cfg.l2Step() == L2Step.RAW) {
                step = grad.mul(cfg.lr());
            } else if (IntStream.of(t).allMatch(s -> s == t[0])) {
                step = cfg.adversary().stepDirection(grad).mul(normalizedStep(t[0]));
            } else { // images at different steps (joined a running stream at different times): a size per row
                float[] size = new float[t.length];
                for (int i = 0; i < t.length; i++) {
                    size[i] = (float) normalizedStep(t[i]);
                }
                long[] shape = new long[grad.getShape().dimension()];
                java.util.Arrays.fill(shape, 1);
                shape[0] = t.length;
                step = cfg.adversary().stepDirection(grad).mul(grad.getManager().create(size, new Shape(shape)));
            }
            replace(0, ball.project(rows[1], rows[0].sub(step)));
        }

        @Override
        State with(NDArray[] tensors) {
            return new Projected(tensors);
        }
    }
}
