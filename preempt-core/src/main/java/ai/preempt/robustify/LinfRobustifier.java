package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.preempt.engine.Scopes;

/**
 * L∞ robustification as the reference does it: x_s = lo + (tanh(w)+1)/2·(hi−lo) with lo = max(x_o−δ, 0),
 * hi = min(x_o+δ, 1), so every w is a valid point and no projection is needed; w starts at
 * atanh((2(x−lo)/(hi−lo) − 1)·0.9995) and is optimised with RMSProp (smoothing 0.99, ε 1e-8, no momentum).
 *
 * <p>Nothing here runs under autograd: x_s and the chain rule ∂x_s/∂w = (1 − tanh²w)·(hi−lo)/2 are computed by hand
 * and RMSProp updates its tensors in place, so that a large photo costs few passes over its pixels per outer step.
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

    /** Tensors: the parameter w, RMSProp's running mean of g², lo and (hi − lo)/2. */
    private final class Tanh extends State {

        Tanh(NDArray... rows) {
            super(rows);
        }

        @Override
        NDArray image() {
            return image(rows[0].tanh());
        }

        /** x_s = (tanh w + 1)·(hi − lo)/2 + lo, from tanh w */
        private NDArray image(NDArray tanh) {
            NDArray x = tanh.add(1);
            x.muli(rows[3]);
            x.addi(rows[2]);
            return x;
        }

        @Override
        RobustLoss.Point point() {
            NDArray tanh = rows[0].tanh();
            NDArray x = image(tanh);
            NDArray halfRange = rows[3];
            return new RobustLoss.Point() {
                @Override
                public NDArray image() {
                    return x;
                }

                @Override
                public NDArray pullback(NDArray g) {
                    NDArray slope = tanh.square(); // 1 − tanh²w
                    slope.negi();
                    slope.addi(1);
                    NDArray gw = g.mul(halfRange);
                    gw.muli(slope);
                    slope.close();
                    return gw;
                }
            };
        }

        @Override
        void update(NDArray grad, int[] t) {
            // torch.optim.RMSprop(alpha=0.99, eps=1e-8): v ← 0.99·v + 0.01·g²; w ← w − lr·g/(√v + 1e-8), in place
            NDArray v = rows[1];
            v.muli(0.99f);
            NDArray g2 = grad.square();
            g2.muli(0.01f);
            v.addi(g2);
            g2.close();
            NDArray denominator = v.sqrt();
            denominator.addi(1e-8f);
            NDArray step = grad.div(denominator);
            denominator.close();
            step.muli(cfg.lr());
            rows[0].subi(step);
            step.close();
        }

        @Override
        State with(NDArray[] tensors) {
            return new Tanh(tensors);
        }
    }
}
