package ai.preempt.robustify;

import ai.preempt.engine.Ops;
import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Rows;

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
        NDArray lo0 = x0.sub(d).maximum(0f);
        NDArray range0 = ai.preempt.engine.Scopes.keep(() -> x0.add(d).minimum(1f).sub(lo0));
        NDArray w = ai.preempt.engine.Scopes.keep(() -> {
            NDArray z = xStart.sub(lo0).div(range0).mul(2).sub(1).mul(0.9995f);
            return z.add(1).div(z.neg().add(1)).log().mul(0.5f); // atanh(z); the engine lacks atanh
        });
        return new State() {
            private NDArray param = w;
            private NDArray sq = w.zerosLike();
            private NDArray lo = lo0;
            private NDArray range = range0;

            @Override
            public NDArray param() {
                return param;
            }

            @Override
            public NDArray image(NDArray p) {
                return Ops.mul(p.tanh().add(1), 0.5).mul(range).add(lo);
            }

            @Override
            public void update(NDArray grad, int t) {
                // torch.optim.RMSprop(alpha=0.99, eps=1e-8): v ← 0.99·v + 0.01·g²; w ← w − lr·g/(√v + 1e-8)
                NDArray v = sq.mul(0.99f).add(grad.square().mul(0.01f));
                NDArray next = param.sub(grad.div(v.sqrt().add(1e-8f)).mul(cfg.lr()));
                keep(v, next);
                sq.close();
                param.close();
                sq = v;
                param = next;
            }

            @Override
            public void compact(int[] keep) {
                NDArray[] next = {Rows.select(param, keep), Rows.select(sq, keep), Rows.select(lo, keep),
                    Rows.select(range, keep)};
                close();
                param = next[0];
                sq = next[1];
                lo = next[2];
                range = next[3];
            }

            @Override
            public void close() {
                param.close();
                sq.close();
                lo.close();
                range.close();
            }
        };
    }

    static void keep(NDArray... arrays) {
        ai.djl.ndarray.NDScope.unregister(arrays);
    }
}
