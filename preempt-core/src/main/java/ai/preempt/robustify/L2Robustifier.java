package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.threat.ThreatModel;

/**
 * L2 robustification as the reference does it: projected gradient descent on the raw (un-normalised)
 * gradient, x_s ← Π_{B_δ(x_o)}(x_s − β·∇), then clamp to [0,1].
 */
final class L2Robustifier extends OuterLoop {

    L2Robustifier(RobustifyConfig cfg, boolean ascend) {
        super(cfg, ascend);
    }

    @Override
    State init(NDArray x0, NDArray xStart) {
        ThreatModel ball = cfg.adversary().withEps(cfg.delta());
        return new State() {
            private NDArray xs = xStart.duplicate();

            @Override
            public NDArray param() {
                return xs;
            }

            @Override
            public NDArray image(NDArray p) {
                return p;
            }

            @Override
            public void update(NDArray grad) {
                NDArray next = ball.project(x0, xs.sub(grad.mul(cfg.lr())));
                LinfRobustifier.keep(next);
                xs.close();
                xs = next;
            }

            @Override
            public void close() {
                xs.close();
            }
        };
    }
}
