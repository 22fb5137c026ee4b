package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.ThreatModel;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Runs the fastest mode ({@link FastestMode}) with a robustifier's parametrisation and update rule: warm start,
 * outer steps against the cheap inner attack, and {@link ConfirmCheck}s that let confirmed images leave the
 * batch. Every pass is counted where it is spent (the label prediction included), and every random draw comes
 * from the image's own stream, so an image's result does not depend on its batch.
 */
final class FastestLoop {

    private final OuterLoop loop;
    private final RobustifyConfig cfg;
    private final FastestMode fm;
    private final ThreatModel ball;
    private final RobustLoss cheapLoss;
    /** The stronger inner attack of the late steps (the same object as cheapLoss when there are none). */
    private final RobustLoss lateLoss;
    private final WarmStart warm;
    private final ConfirmCheck check;

    /** @param loop a robustifier (descending) whose configuration has the fastest mode on */
    FastestLoop(OuterLoop loop) {
        if (loop.direction != 1f) {
            throw new IllegalStateException("the fastest mode robustifies; it does not reconstruct");
        }
        this.loop = loop;
        this.cfg = loop.cfg;
        this.fm = cfg.fastest();
        this.ball = cfg.adversary().withEps(cfg.delta());
        this.cheapLoss = new RobustLoss(cfg.adversary(), fm.innerSteps(), fm.innerStep() * cfg.eps(),
                cfg.innerStart(), cfg.samples());
        this.lateLoss = fm.lateInner() == fm.innerSteps() ? cheapLoss : new RobustLoss(cfg.adversary(),
                fm.lateInner(), fm.innerStep() * cfg.eps(), cfg.innerStart(), cfg.samples());
        this.warm = new WarmStart(ball, fm.warmSteps(), fm.warmStep() * cfg.delta());
        this.check = new ConfirmCheck(cfg, fm.restarts(), fm.lossThreshold());
    }

    RobustifyResult run(Classifier f, NDArray x0, NDArray labels) {
        if (!PrimaryFallback.needed(f)) {
            return runOnce(f, x0, labels).result();
        }
        // several servers: as the stream does, images the views' mean leaves fooled through the primary run again
        ServerViews views = (ServerViews) f;
        return PreemptEngine.call(() -> {
            Outcome first = runOnce(f, x0, labels);
            return new PrimaryFallback(loop, views, x0.getManager()).batch(first.result(), first.ranAllSteps(), x0,
                    (xs, ys) -> runOnce(views.views().get(0), xs, ys).result());
        });
    }

    /** A batch's result and which images took all T steps (no confirmation let them out). */
    private record Outcome(RobustifyResult result, boolean[] ranAllSteps) {}

    private Outcome runOnce(Classifier f, NDArray x0, NDArray labels) {
        return PreemptEngine.call(() -> {
            int n = (int) x0.getShape().get(0);
            long[] passes = new long[n];
            float[] loss = new float[n];
            int[] stepsTaken = new int[n];
            NDArray given = labels == null ? null : labels.toType(DataType.INT64, false);
            if (cfg.delta() == 0 || cfg.outerSteps() == 0) {
                long[] y = given != null ? given.toLongArray() : Scopes.keepAll(() -> f.predict(x0).toLongArray());
                Arrays.fill(passes, given != null ? 0 : 1);
                return new Outcome(new RobustifyResult(x0.duplicate(), y, loss, passes, stepsTaken), new boolean[n]);
            }
            WarmStart.Start warmed = warm.from(f, x0, given);
            long[] yArr = warmed.labels();
            // the warm steps; ŷ costs one forward pass of its own only without warm steps
            Arrays.fill(passes, warm.passesPerImage() + (given == null && fm.warmSteps() == 0 ? 1 : 0));
            Active active = new Active(x0, x0.getManager().create(yArr), ImageRngs.of(cfg.seed(), x0), n);
            NDArray[] finished = new NDArray[n];
            boolean[] ranAll = new boolean[n];
            Progress.CheckSchedule[] schedule = new Progress.CheckSchedule[n];
            Arrays.setAll(schedule, i -> new Progress.CheckSchedule(fm.checkEvery()));
            NDArray start = warmed.start();
            try (OuterLoop.State state = loop.init(x0, start)) {
                start.close();
                for (int t = 0; t < cfg.outerSteps() && active.rows.length > 0; t++) {
                    final int step = t;
                    final Active now = active;
                    RobustLoss lossNow = fm.innerSteps(t) == fm.innerSteps() ? cheapLoss : lateLoss;
                    long[] stepPasses = new long[now.rows.length];
                    float[] stepLoss = Scopes.keepAll(() -> {
                        RobustLoss.Evaluation lg = lossNow.evaluate(f, state.point(), now.y,
                                (threat, xs) -> now.rngs.offsets(threat, xs, cfg.innerStart()));
                        state.update(lg.grad(), step);
                        System.arraycopy(lg.passes(), 0, stepPasses, 0, stepPasses.length);
                        return lg.loss().toFloatArray();
                    });
                    for (int i = 0; i < now.rows.length; i++) {
                        loss[now.rows[i]] = stepLoss[i];
                        passes[now.rows[i]] += stepPasses[i];
                        stepsTaken[now.rows[i]]++;
                    }
                    if (fm.checksAfter(t, cfg.outerSteps())) {
                        int[] cand = IntStream.range(0, now.rows.length).filter(i -> stepLoss[i] < fm.screenThreshold()
                                && schedule[now.rows[i]].due(step)).toArray();
                        if (cand.length > 0) {
                            boolean[] exit = confirm(f, state, now, cand, passes, loss, finished, schedule, t);
                            active = now.without(exit, state);
                        }
                    }
                }
                if (active.rows.length > 0) {
                    NDArray rest = Scopes.keep(() -> state.image().duplicate());
                    for (int i = 0; i < active.rows.length; i++) {
                        finished[active.rows[i]] = rest.get(i).expandDims(0);
                        ranAll[active.rows[i]] = true;
                    }
                    rest.close();
                }
            } finally {
                active.close();
            }
            NDArray xs = NDArrays.concat(new NDList(finished));
            for (NDArray a : finished) {
                a.close();
            }
            return new Outcome(new RobustifyResult(xs, yArr, loss, passes, stepsTaken), ranAll);
        });
    }

    /** Confirms the candidates (positions in the active batch); stores the exits' 8-bit images; @return exits */
    private boolean[] confirm(Classifier f, OuterLoop.State state, Active now, int[] cand, long[] passes,
            float[] loss, NDArray[] finished, Progress.CheckSchedule[] schedule, int t) {
        return Scopes.keepAll(() -> {
            NDArray q = Quantizer.quantize(Rows.select(now.x0, cand), Rows.select(state.image(), cand),
                    ball);
            ConfirmCheck.Verdict v = check.confirm(f, q, Rows.select(now.y, cand), now.rngs.select(cand));
            boolean[] exit = new boolean[now.rows.length];
            for (int j = 0; j < cand.length; j++) {
                int image = now.rows[cand[j]];
                passes[image] += v.passes()[j];
                if (v.exit()[j]) {
                    exit[cand[j]] = true;
                    loss[image] = v.loss()[j];
                    finished[image] = q.get(j).expandDims(0);
                    NDScope.unregister(finished[image]);
                } else {
                    schedule[image].failed(t);
                }
            }
            return exit;
        });
    }

    /** The images still being optimised: originals, labels, random streams and image indices, row-aligned. */
    private static final class Active implements AutoCloseable {
        final NDArray x0;
        final NDArray y;
        final ImageRngs rngs;
        final int[] rows;

        private Active(NDArray x0, NDArray y, ImageRngs rngs, int[] rows) {
            this.x0 = x0;
            this.y = y;
            this.rngs = rngs;
            this.rows = rows;
        }

        Active(NDArray x0, NDArray y, ImageRngs rngs, int n) {
            this(x0.duplicate(), y, rngs, IntStream.range(0, n).toArray());
        }

        /** @return the batch without the exits (this one is closed; the state is compacted alike) */
        Active without(boolean[] exit, OuterLoop.State state) {
            int[] stay = IntStream.range(0, rows.length).filter(i -> !exit[i]).toArray();
            if (stay.length == rows.length) {
                return this;
            }
            if (stay.length == 0) {
                return new Active(x0, y, rngs, new int[0]); // nothing left to compact; the arrays move on
            }
            state.compact(stay);
            Active next = new Active(Rows.select(x0, stay), Rows.select(y, stay), rngs.select(stay),
                    IntStream.of(stay).map(i -> rows[i]).toArray());
            close();
            return next;
        }

        @Override
        public void close() {
            x0.close();
            y.close();
        }
    }
}
