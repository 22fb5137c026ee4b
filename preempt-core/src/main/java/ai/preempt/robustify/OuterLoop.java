package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.threat.ThreatModel;

/**
 * The outer loop shared by both robustifiers (and by the reconstruction of Algorithm 3, which ascends
 * instead of descending): labels, seeding, and T steps of "robust loss and first-order gradient, then one
 * optimiser update"; after fast mode's optional per-image {@link EarlyExit}, {@link ActiveBatch} keeps track of
 * the images still in the batch. Subclasses own the parametrisation and the update rule.
 */
abstract class OuterLoop implements Robustifier {

    protected final RobustifyConfig cfg;
    /** +1 descends the robust loss (robustification), −1 ascends it (reconstruction). */
    protected final float direction;
    /** The loss the outer steps descend: the configuration's, or fast mode's cheaper inner attack. */
    private final RobustLoss robustLoss;
    /** Fast mode's polishing steps descend the configuration's full robust loss; null outside fast mode. */
    private final RobustLoss fullLoss;

    OuterLoop(RobustifyConfig cfg, boolean ascend) {
        this.cfg = cfg;
        this.direction = ascend ? -1f : 1f;
        this.robustLoss = cfg.fast() == null ? new RobustLoss(cfg) : new RobustLoss(cfg.adversary(),
                cfg.fast().innerSteps(cfg.innerSteps()), cfg.innerStepSize(), cfg.innerStart(), cfg.samples());
        this.fullLoss = cfg.fast() == null ? null : new RobustLoss(cfg);
    }

    @Override
    public RobustifyConfig config() {
        return cfg;
    }

    /** Optimiser state for the images still being optimised. */
    interface State extends AutoCloseable {
        /** @return the tensor being optimised */
        NDArray param();

        /** @return x_s as a differentiable function of a parameter tensor */
        NDArray image(NDArray param);

        /** Applies update number {@code t} (0-based) with the gradient of the robust loss (signed for descent). */
        void update(NDArray grad, int t);

        /** Keeps only the given rows (positions in the active batch) of every per-image tensor, in order. */
        void compact(int[] keep);

        @Override
        void close();
    }

    /** @return a fresh optimiser state starting at x_start (inside B_δ(x0)); the state owns its copies */
    abstract State init(NDArray x0, NDArray xStart);

    @Override
    public RobustifyResult robustify(Classifier f, NDArray x0, NDArray labels) {
        if (cfg.fastest() != null) {
            return new FastestLoop(this).run(f, x0, labels);
        }
        return PreemptEngine.call(() -> {
            int n = (int) x0.getShape().get(0);
            long[] yArr = Scopes.keepAll(() -> (labels == null ? f.predict(x0)
                    : labels.toType(DataType.INT64, false)).toLongArray());
            // per-image streams: an image is robustified the same alone or in any batch (the service batches uploads)
            Rng rng = Rng.forImages(cfg.seed(), x0);
            float[] loss = new float[n];
            long[] passes = new long[n];
            int[] stepsTaken = new int[n];
            if (cfg.delta() == 0 || cfg.outerSteps() == 0) {
                return new RobustifyResult(x0.duplicate(), yArr, loss, passes, stepsTaken);
            }
            ThreatModel ball = cfg.adversary().withEps(cfg.delta());
            NDArray[] finished = new NDArray[n];
            NDArray start = Scopes.keep(() -> ball.project(x0, ball.randomStart(x0, cfg.outerStart(), rng)));
            EarlyExit early = cfg.fast() == null ? null : new EarlyExit(cfg, n, fullLoss);
            try (ActiveBatch active = new ActiveBatch(x0, x0.getManager().create(yArr));
                    State state = init(x0, start)) {
                start.close();
                for (int t = 0; t < cfg.outerSteps() && !active.isEmpty(); t++) {
                    final int step = t;
                    RobustLoss lossNow = fullLoss != null && cfg.fast().polishes(t, cfg.outerSteps()) ? fullLoss
                            : robustLoss;
                    long perStep = lossNow.passesPerImage(f);
                    float[] stepLoss = Scopes.keepAll(() -> {
                        Gradients.LossGrad lg = lossNow.evaluate(f, state.param(), state::image, active.labels(),
                                rng);
                        state.update(direction == 1f ? lg.grad() : lg.grad().neg(), step);
                        return lg.loss().toFloatArray();
                    });
                    int[] rows = active.rows();
                    for (int i = 0; i < rows.length; i++) {
                        loss[rows[i]] = stepLoss[i];
                        passes[rows[i]] += perStep;
                        stepsTaken[rows[i]]++;
                    }
                    if (cfg.fast() != null && cfg.fast().checksAfter(t, cfg.outerSteps())) {
                        boolean[] exit = early.check(f, () -> state.image(state.param()), active.x0(),
                                active.labels(), ball, rng, rows, passes, loss, finished, t);
                        int[] stay = active.drop(exit);
                        if (stay != null) {
                            state.compact(stay);
                            rng.keepRows(stay);
                        }
                    }
                }
                int[] rows = active.rows();
                if (rows.length > 0) {
                    NDArray rest = Scopes.keep(() -> state.image(state.param()).duplicate());
                    for (int i = 0; i < rows.length; i++) {
                        finished[rows[i]] = rest.get(i).expandDims(0);
                    }
                    rest.close();
                }
            }
            NDArray xs = NDArrays.concat(new NDList(finished));
            for (NDArray a : finished) {
                a.close();
            }
            return new RobustifyResult(xs, yArr, loss, passes, stepsTaken);
        });
    }
}
