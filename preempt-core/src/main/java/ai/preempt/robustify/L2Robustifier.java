package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Rows;
import ai.preempt.threat.ThreatModel;

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
    State init(NDArray x0In, NDArray xStart) {
        ThreatModel ball = cfg.adversary().withEps(cfg.delta());
        ThreatModel unit = cfg.adversary();
        return new State() {
            private NDArray xs = xStart.duplicate();
            private NDArray x0 = x0In.duplicate();

            @Override
            public NDArray param() {
                return xs;
            }

            @Override
            public NDArray image(NDArray p) {
                return p;
            }

            @Override
            public void update(NDArray grad, int t) {
                NDArray step = cfg.l2Step() == L2Step.RAW ? grad.mul(cfg.lr())
                        : unit.stepDirection(grad).mul(normalizedStep(t));
                NDArray next = ball.project(x0, xs.sub(step));
                LinfRobustifier.keep(next);
                xs.close();
                xs = next;
            }

            @Override
            public void compact(int[] keep) {
                NDArray a = Rows.select(xs, keep);
                NDArray b = Rows.select(x0, keep);
                close();
                xs = a;
                x0 = b;
            }

            @Override
            public void close() {
                xs.close();
                x0.close();
            }
        };
    }
}
