package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.threat.ThreatModel;
import java.util.Arrays;

/**
 * The outer loop shared by both robustifiers (and by the reconstruction of Algorithm 3, which ascends
 * instead of descending): labels, seeding, T steps of "robust loss and first-order gradient, then one
 * optimiser update", and batch compaction after the optional per-image {@link EarlyExit} of fast mode.
 * Subclasses own the parametrisation and the update rule.
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
            Rng rng = Rng.forBatch(cfg.seed(), x0);
            float[] loss = new float[n];
            long[] passes = new long[n];
            int[] stepsTaken = new int[n];
            if (cfg.delta() == 0 || cfg.outerSteps() == 0) {
                return new RobustifyResult(x0.duplicate(), yArr, loss, passes, stepsTaken);
            }
            ThreatModel ball = cfg.adversary().withEps(cfg.delta());
            NDArray[] finished = new NDArray[n];
            int[] rows = new int[n]; // position in the active batch → image index
            Arrays.setAll(rows, i -> i);
            NDArray start = Scopes.keep(() -> ball.project(x0, ball.randomStart(x0, cfg.outerStart(), rng)));
            NDArray x0Active = x0.duplicate();
            NDArray y = x0.getManager().create(yArr);
            EarlyExit early = cfg.fast() == null ? null : new EarlyExit(cfg, n, fullLoss);
            try (State state = init(x0, start)) {
                start.close();
                for (int t = 0; t < cfg.outerSteps() && rows.length > 0; t++) {
                    final int step = t;
                    final NDArray yNow = y;
                    RobustLoss lossNow = fullLoss != null && cfg.fast().polishes(t, cfg.outerSteps()) ? fullLoss
                            : robustLoss;
                    long perStep = lossNow.passesPerImage();
                    float[] stepLoss = Scopes.keepAll(() -> {
                        Gradients.LossGrad lg = lossNow.evaluate(f, state.param(), state::image, yNow, rng);
                        state.update(direction == 1f ? lg.grad() : lg.grad().neg(), step);
                        return lg.loss().toFloatArray();
                    });
                    for (int i = 0; i < rows.length; i++) {
                        loss[rows[i]] = stepLoss[i];
                        passes[rows[i]] += perStep;
                        stepsTaken[rows[i]]++;
                    }
                    if (cfg.fast() != null && cfg.fast().checksAfter(t, cfg.outerSteps())) {
                        boolean[] exit = early.check(f, () -> state.image(state.param()), x0Active, y, ball, rng, rows,
                                passes, loss, finished, t);
                        int keep = 0;
                        for (boolean e : exit) {
                            keep += e ? 0 : 1;
                        }
                        if (keep < rows.length) {
                            int[] stay = new int[keep];
                            int[] next = new int[keep];
                            for (int i = 0, j = 0; i < exit.length; i++) {
                                if (!exit[i]) {
                                    stay[j] = i;
                                    next[j++] = rows[i];
                                }
                            }
                            rows = next;
                            if (keep > 0) {
                                state.compact(stay);
                                NDArray x0Next = Rows.select(x0Active, stay);
                                NDArray yNext = Rows.select(y, stay);
                                x0Active.close();
                                y.close();
                                x0Active = x0Next;
                                y = yNext;
                            }
                        }
                    }
                }
                if (rows.length > 0) {
                    NDArray rest = Scopes.keep(() -> state.image(state.param()).duplicate());
                    for (int i = 0; i < rows.length; i++) {
                        finished[rows[i]] = rest.get(i).expandDims(0);
                    }
                    rest.close();
                }
            } finally {
                x0Active.close();
                y.close();
            }
            NDArray xs = NDArrays.concat(new NDList(finished));
            for (NDArray a : finished) {
                a.close();
            }
            return new RobustifyResult(xs, yArr, loss, passes, stepsTaken);
        });
    }
}
