package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;

/**
 * L∞ robustification as the reference does it: x_s = lo + (tanh(w)+1)/2·(hi−lo) with lo = max(x_o−δ, 0),
 * hi = min(x_o+δ, 1), so every w is a valid point and no projection is needed; w starts at
 * atanh((2(x−lo)/(hi−lo) − 1)·0.9995) and is optimised with RMSProp (smoothing 0.99, ε 1e-8, no momentum).
 *
 * <p>Nothing here runs under autograd: x_s and the chain rule ∂x_s/∂w = (1 − tanh²w)·(hi−lo)/2 are computed by hand,
 * and the chain rule and RMSProp work in place a few images at a time ({@link Rows#inChunks}), so that a large photo
 * costs few passes over its pixels per outer step, most of them in the cache.
 * The state keeps (hi−lo)/2 rather than hi−lo: halving is exact in floating point, so x_s and the gradient are the
 * same numbers either way.
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
        NDArray halfRange = range.mul(0.5f);
        range.close();
        return new Tanh(w, w.zerosLike(), lo, halfRange);
    }

    /**
     * Tensors: the parameter w, RMSProp's running mean of g², lo and (hi − lo)/2. tanh w and x_s are computed once
     * per value of w (the exit checks and the next step's robust loss share them) and kept until w changes.
     */
    private final class Tanh extends State {
        private NDArray tanh;
        private NDArray image;

        Tanh(NDArray... rows) {
            super(rows);
        }

        @Override
        NDArray image() {
            if (image == null) {
                NDArray t = rows[0].tanh();
                NDArray x = t.add(1);
                Rows.inChunks(x, r -> { // x_s = (tanh w + 1)·(hi − lo)/2 + lo
                    NDArray xr = x.get(r);
                    xr.muli(rows[3].get(r));
                    xr.addi(rows[2].get(r));
                });
                NDScope.unregister(t, x);
                tanh = t;
                image = x;
            }
            return image;
        }

        @Override
        RobustLoss.Point point() {
            NDArray x = image();
            NDArray t = tanh;
            return new RobustLoss.Point(x, g -> {
                Rows.inChunks(g, r -> { // g·(hi − lo)/2·(1 − tanh²w), in place
                    NDArray slope = t.get(r).square();
                    slope.negi();
                    slope.addi(1);
                    NDArray gr = g.get(r);
                    gr.muli(rows[3].get(r));
                    gr.muli(slope);
                });
                return g;
            });
        }

        @Override
        void update(NDArray grad, int[] t) {
            // torch.optim.RMSprop(alpha=0.99, eps=1e-8): v ← 0.99·v + 0.01·g²; w ← w − lr·g/(√v + 1e-8), in place
            Rows.inChunks(grad, r -> {
                NDArray g = grad.get(r);
                NDArray v = rows[1].get(r);
                v.muli(0.99f);
                NDArray g2 = g.square();
                g2.muli(0.01f);
                v.addi(g2);
                NDArray denominator = v.sqrt();
                denominator.addi(1e-8f);
                NDArray step = g.div(denominator);
                step.muli(cfg.lr());
                rows[0].get(r).subi(step);
            });
            changed();
        }

        @Override
        protected void changed() {
            if (image != null) {
                image.close();
                tanh.close();
                image = null;
                tanh = null;
            }
        }

        @Override
        State with(NDArray[] tensors) {
            return new Tanh(tensors);
        }
    }
}
