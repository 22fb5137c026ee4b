package ai.preempt.robustify;

import ai.preempt.engine.Ops;
import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Scopes;

/**
 * L∞ robustification as the reference does it: x_s = lo + (tanh(w)+1)/2·(hi−lo) with lo = max(x_o−δ, 0),
 * hi = min(x_o+δ, 1), so every w is a valid point and no projection is needed; w starts at
 * atanh((2(x−lo)/(hi−lo) − 1)·0.9995) and is optimised with RMSProp (smoothing 0.99, ε 1e-8, no momentum).
 */
final class LinfRobustifier extends OuterLoop {

    LinfRobustifier(RobustifyConfig cfg, boolean ascend) {
        super(cfg, ascend);
    }

    @Override
    State init(NDArray x0, NDArray xStart) {
        double d = cfg.delta();
        NDArray lo = Scopes.keep(() -> x0.sub(d).maximum(0f));
        NDArray range = Scopes.keep(() -> x0.add(d).minimum(1f).sub(lo));
        NDArray w = Scopes.keep(() -> {
            NDArray z = xStart.sub(lo).div(range).mul(2).sub(1).mul(0.9995f);
            return z.add(1).div(z.neg().add(1)).log().mul(0.5f); // atanh(z); the engine lacks atanh
        });
        return new Tanh(w, w.zerosLike(), lo, range);
    }

    /** Tensors: the parameter w, RMSProp's running mean of g², lo and hi − lo. */
    private final class Tanh extends State {

        Tanh(NDArray... rows) {
            super(rows);
        }

        @Override
        NDArray image(NDArray p) {
            return Ops.mul(p.tanh().add(1), 0.5).mul(rows[3]).add(rows[2]);
        }

        @Override
        void update(NDArray grad, int[] t) {
            // torch.optim.RMSprop(alpha=0.99, eps=1e-8): v ← 0.99·v + 0.01·g²; w ← w − lr·g/(√v + 1e-8)
            NDArray v = rows[1].mul(0.99f).add(grad.square().mul(0.01f));
            NDArray next = rows[0].sub(grad.div(v.sqrt().add(1e-8f)).mul(cfg.lr()));
            replace(1, v);
            replace(0, next);
        }

        @Override
        State with(NDArray[] tensors) {
            return new Tanh(tensors);
        }
    }
}
