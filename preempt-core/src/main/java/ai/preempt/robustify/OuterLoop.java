package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
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
 * optimiser update", and the optional per-image early exit of {@link FastMode} with batch compaction.
 * Subclasses own the parametrisation and the update rule.
 */
abstract class OuterLoop implements Robustifier {

    protected final RobustifyConfig cfg;
    /** +1 descends the robust loss (robustification), −1 ascends it (reconstruction). */
    protected final float direction;
    /** The loss the outer steps descend: the configuration's, or fast mode's cheaper inner attack. */
    private final RobustLoss robustLoss;
    /** The full robust loss (K inner steps): what fast mode's exit check measures. */
    private final RobustLoss fullLoss;

    OuterLoop(RobustifyConfig cfg, boolean ascend) {
        this.cfg = cfg;
        this.direction = ascend ? -1f : 1f;
        this.fullLoss = new RobustLoss(cfg);
        this.robustLoss = cfg.fast() == null ? fullLoss : new RobustLoss(cfg.adversary(),
                cfg.fast().innerSteps(cfg.innerSteps()), cfg.innerStepSize(), cfg.innerStart(), cfg.samples());
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
            long perStep = robustLoss.passesPerImage();
            CheckSchedule schedule = cfg.fast() == null ? null : new CheckSchedule(n, cfg.fast().checkEvery());
            try (State state = init(x0, start)) {
                start.close();
                for (int t = 0; t < cfg.outerSteps() && rows.length > 0; t++) {
                    final int step = t;
                    final NDArray yNow = y;
                    float[] stepLoss = Scopes.keepAll(() -> {
                        Gradients.LossGrad lg = robustLoss.evaluate(f, state.param(), state::image, yNow, rng);
                        state.update(direction == 1f ? lg.grad() : lg.grad().neg(), step);
                        return lg.loss().toFloatArray();
                    });
                    for (int i = 0; i < rows.length; i++) {
                        loss[rows[i]] = stepLoss[i];
                        passes[rows[i]] += perStep;
                        stepsTaken[rows[i]]++;
                    }
                    if (cfg.fast() != null && cfg.fast().checksAfter(t, cfg.outerSteps())) {
                        boolean[] exit = check(f, state, x0Active, y, ball, rng, rows, passes, loss, finished, schedule,
                                t);
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

    /**
     * The early-exit check on the active batch. Only candidates are checked, i.e. images whose robust loss at
     * this step is already below the threshold (free to know); each candidate's 8-bit version is attacked by
     * PGD-K with restarts and its robust loss measured afresh; those that pass are stored in {@code finished}.
     *
     * @return per active image: exits now
     */
    private boolean[] check(Classifier f, State state, NDArray x0, NDArray y, ThreatModel ball, Rng rng, int[] rows,
            long[] passes, float[] loss, NDArray[] finished, CheckSchedule schedule, int t) {
        FastMode fm = cfg.fast();
        boolean[] exit = new boolean[rows.length];
        int[] cand = java.util.stream.IntStream.range(0, rows.length)
                .filter(i -> loss[rows[i]] < fm.lossThreshold() && schedule.due(rows[i], t)).toArray();
        if (cand.length == 0) {
            return exit;
        }
        return Scopes.keepAll(() -> {
            NDArray xc = Rows.select(state.image(state.param()), cand);
            NDArray q = Quantizer.quantize(Rows.select(x0, cand), xc, ball);
            NDArray yc = Rows.select(y, cand);
            AttackResult a = Pgd.builder().setThreat(cfg.adversary()).optSteps(cfg.innerSteps())
                    .optStepSize(cfg.innerStepSize()).optRandomStart(cfg.innerStart()).optRestarts(fm.restarts())
                    .optSeed(rng.nextLong()).build().perturb(f, q, yc);
            long lossSeed = rng.nextLong();
            // the fresh robust loss only for the images the attack did not fool
            int[] survivors = java.util.stream.IntStream.range(0, cand.length).filter(j -> !a.success()[j]).toArray();
            float[] checkLoss = new float[cand.length];
            if (survivors.length > 0) {
                float[] l = fullLoss.value(f, Rows.select(q, survivors), Rows.select(yc, survivors), lossSeed);
                for (int s = 0; s < survivors.length; s++) {
                    checkLoss[survivors[s]] = l[s];
                }
            }
            for (int j = 0; j < cand.length; j++) {
                int i = cand[j];
                // PGD stops restarting once an image is fooled; count the worst case
                passes[rows[i]] += (long) fm.restarts() * cfg.innerSteps()
                        + (a.success()[j] ? 0 : fullLoss.passesPerImage());
                exit[i] = !a.success()[j] && checkLoss[j] < fm.lossThreshold();
                if (exit[i]) {
                    loss[rows[i]] = checkLoss[j];
                    finished[rows[i]] = q.get(j).expandDims(0);
                    ai.djl.ndarray.NDScope.unregister(finished[rows[i]]);
                } else {
                    schedule.failed(rows[i], t);
                }
            }
            return exit;
        });
    }

    /**
     * Per-image back-off of fast mode's checks: an image that failed a check waits 2, then 4 check periods
     * (at most) before it is checked again, so an image hovering at the threshold does not pay for a
     * futile attack at every period.
     */
    private static final class CheckSchedule {
        private final int period;
        private final int[] failures;
        private final int[] notBefore;

        CheckSchedule(int n, int period) {
            this.period = period;
            this.failures = new int[n];
            this.notBefore = new int[n];
        }

        boolean due(int image, int t) {
            return t >= notBefore[image];
        }

        void failed(int image, int t) {
            failures[image]++;
            notBefore[image] = t + period * (1 << Math.min(failures[image], 2));
        }
    }
}
