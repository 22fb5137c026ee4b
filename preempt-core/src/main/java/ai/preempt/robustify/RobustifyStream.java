package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Robustification as a stream of images (continuous batching): images join the running batch at any time
 * ({@link #admit}) at step 0 of their own schedule, every {@link #step} advances each image by one outer step,
 * and images leave as soon as they finish (fast mode's exit check let them out, or they took their T steps),
 * while the others go on. Each image keeps its own step counter, optimiser state, random stream and pass count,
 * so it gets what it would get alone, whenever it joined and whatever else is in the batch (given batch-invariant
 * arithmetic: see the server's minimum batch). Images whose steps need different robust losses (fast mode's
 * cheap attack and its polish) are evaluated as separate sub-batches; otherwise the whole batch is one
 * evaluation. A batch robustified at once ({@link Robustifier#robustify}) is this stream with every image
 * admitted at once. Every call runs on the engine's compute thread; not thread-safe.
 */
public final class RobustifyStream implements AutoCloseable {

    /**
     * An image that left the stream.
     *
     * @param id its id from {@link #admit}
     * @param image x_s (1×C×H×W float, inside B_δ(x_o) ∩ [0,1]) in the manager given at opening; the caller
     *     closes it
     * @param label the label that was protected
     * @param robustLoss its robust loss at its last outer step (or its exit check's)
     * @param passes forward+backward passes spent on it
     * @param outerSteps outer steps it took
     */
    public record Finished(long id, NDArray image, long label, float robustLoss, long passes, int outerSteps) {}

    private final OuterLoop loop;
    private final RobustifyConfig cfg;
    private final Classifier f;
    private final NDManager results;
    private final NDManager own;
    /** The loss the outer steps descend: the configuration's, or fast mode's cheaper inner attack. */
    private final RobustLoss robustLoss;
    /** Fast mode's polishing steps descend the configuration's full robust loss; null outside fast mode. */
    private final RobustLoss fullLoss;
    private final EarlyExit early;
    private final ThreatModel ball;
    private final ActiveBatch active = new ActiveBatch();
    /** Against several server views: reruns for the primary view alone (see {@link PrimaryFallback}); else null. */
    private final PrimaryFallback fallback;
    private OuterLoop.State state;
    /** Images done on admission (δ = 0 or T = 0), handed out by the next step. */
    private final List<Finished> pending = new ArrayList<>();
    private long nextId;

    RobustifyStream(OuterLoop loop, Classifier f, NDManager results) {
        this.loop = loop;
        this.cfg = loop.cfg;
        this.f = f;
        this.results = results;
        this.own = results.newSubManager();
        this.robustLoss = cfg.fast() == null ? new RobustLoss(cfg) : new RobustLoss(cfg.adversary(),
                cfg.fast().innerSteps(cfg.innerSteps()), cfg.innerStepSize(), cfg.innerStart(), cfg.samples());
        this.fullLoss = cfg.fast() == null ? null : new RobustLoss(cfg);
        this.early = cfg.fast() == null ? null : new EarlyExit(cfg, fullLoss);
        this.ball = cfg.adversary().withEps(cfg.delta());
        this.fallback = PrimaryFallback.needed(f) ? new PrimaryFallback(loop, (ServerViews) f, results) : null;
    }

    /**
     * Adds images at step 0 of their own schedule.
     *
     * @param x0 originals, N×C×H×W in [0,1] (copied)
     * @param labels labels to protect (N), or null for the classifier's predictions ŷ = argmax f(x_o)
     * @return one id per image, in order
     */
    public long[] admit(NDArray x0, NDArray labels) {
        return PreemptEngine.call(() -> Scopes.keepAll(() -> {
            int n = (int) x0.getShape().get(0);
            NDArray x = owned(x0.duplicate());
            NDArray y = owned(labels == null ? f.predict(x) : labels.toType(DataType.INT64, true));
            long[] ids = LongStream.range(nextId, nextId + n).toArray();
            nextId += n;
            if (cfg.delta() == 0 || cfg.outerSteps() == 0) {
                long[] yArr = y.toLongArray();
                for (int i = 0; i < n; i++) {
                    NDArray img = x.get(i).expandDims(0);
                    pending.add(finished(new Progress(ids[i], 1, 0), img, yArr[i]));
                }
                x.close();
                y.close();
                return ids;
            }
            // per-image streams: an image is robustified the same alone or in any batch (the service batches uploads)
            Rng rng = Rng.forImages(cfg.seed(), x);
            NDArray start = Scopes.keep(() -> ball.project(x, ball.randomStart(x, cfg.outerStart(), rng)));
            OuterLoop.State joined = loop.init(x, start);
            if (state == null) {
                state = joined;
            } else {
                state.append(joined);
            }
            int checkEvery = cfg.fast() == null ? 1 : cfg.fast().checkEvery();
            List<Progress> rows = new ArrayList<>(n);
            for (long id : ids) {
                rows.add(new Progress(id, checkEvery, 0));
            }
            active.append(x, y, rng, rows);
            return ids;
        }));
    }

    /** @return images being optimised */
    public int size() {
        return active.rows().size() + (fallback == null ? 0 : fallback.size());
    }

    /** @return whether no image is being optimised or waiting to be handed out */
    public boolean isEmpty() {
        return active.isEmpty() && pending.isEmpty() && (fallback == null || fallback.isEmpty());
    }

    /**
     * Advances every image by one outer step.
     *
     * @return the images that finished, in row order (their images belong to the caller)
     */
    public List<Finished> step() {
        return PreemptEngine.call(() -> {
            List<Finished> out = new ArrayList<>(pending);
            pending.clear();
            if (fallback != null) {
                out.addAll(fallback.step());
            }
            if (active.isEmpty()) {
                return out;
            }
            List<Progress> rows = active.rows();
            int n = rows.size();
            int[] t = rows.stream().mapToInt(p -> p.t).toArray();
            RobustLoss[] lossOf = new RobustLoss[n];
            for (int i = 0; i < n; i++) {
                lossOf[i] = fullLoss != null && cfg.fast().polishes(t[i], cfg.outerSteps()) ? fullLoss : robustLoss;
            }
            long[] stepPasses = new long[n];
            float[] stepLoss = Scopes.keepAll(() -> {
                RobustLoss.Evaluation e = evaluate(lossOf);
                state.update(loop.direction == 1f ? e.grad() : e.grad().neg(), t);
                System.arraycopy(e.passes(), 0, stepPasses, 0, n);
                return e.loss().toFloatArray();
            });
            for (int i = 0; i < n; i++) {
                Progress p = rows.get(i);
                p.loss = stepLoss[i];
                p.passes += stepPasses[i];
                p.t++;
            }
            boolean[] leave = checks(t);
            int[] done = IntStream.range(0, n).filter(i -> !leave[i] && rows.get(i).t >= cfg.outerSteps()).toArray();
            if (done.length > 0) {
                Scopes.keepAll(() -> {
                    NDArray rest = Rows.select(state.image(), done);
                    for (int j = 0; j < done.length; j++) {
                        rows.get(done[j]).exit = rest.get(j).expandDims(0);
                        NDScope.unregister(rows.get(done[j]).exit);
                        leave[done[j]] = true;
                    }
                    return null;
                });
            }
            long[] labels = active.labels().toLongArray();
            List<Finished> ranAllSteps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (leave[i]) {
                    Finished d = finished(rows.get(i), rows.get(i).exit, labels[i]);
                    (fallback != null && Arrays.binarySearch(done, i) >= 0 ? ranAllSteps : out)
                            .add(d);
                }
            }
            if (!ranAllSteps.isEmpty()) {
                out.addAll(Scopes.keepAll(() -> fallback.review(ranAllSteps, Rows.select(active.x0(), done),
                        Rows.select(active.labels(), done))));
            }
            keep(IntStream.range(0, n).filter(i -> !leave[i]).toArray());
            return out;
        });
    }

    /**
     * Drops an image (e.g. its client left): it is no longer optimised and never handed out.
     *
     * @return whether it was in the stream
     */
    public boolean drop(long id) {
        return PreemptEngine.call(() -> {
            if (fallback != null && fallback.drop(id)) {
                return true;
            }
            List<Progress> rows = active.rows();
            int[] stay = IntStream.range(0, rows.size()).filter(i -> rows.get(i).id != id).toArray();
            boolean pendingDropped = pending.removeIf(d -> {
                if (d.id() == id) {
                    d.image().close();
                    return true;
                }
                return false;
            });
            if (stay.length == rows.size()) {
                return pendingDropped;
            }
            keep(stay);
            return true;
        });
    }

    /**
     * The robust loss and its gradient for every image: one evaluation of the whole batch when all images
     * descend the same loss or the same attack with different inner steps (fast mode's cheap steps and polish),
     * else one per group of images with the same loss (each on its own rows), put back in row order.
     */
    private RobustLoss.Evaluation evaluate(RobustLoss[] lossOf) {
        Map<RobustLoss, List<Integer>> groups = new IdentityHashMap<>();
        for (int i = 0; i < lossOf.length; i++) {
            groups.computeIfAbsent(lossOf[i], k -> new ArrayList<>()).add(i);
        }
        if (groups.size() == 1) {
            return lossOf[0].evaluate(f, state.point(), active.labels(), active.rng());
        }
        if (groups.keySet().stream().allMatch(lossOf[0]::sameButSteps)) {
            // one attack with different K: one evaluation, each image stepping its own K
            int[] k = java.util.Arrays.stream(lossOf).mapToInt(RobustLoss::steps).toArray();
            return lossOf[0].evaluate(f, state.point(), active.labels(), active.rng(), k);
        }
        NDList losses = new NDList();
        NDList grads = new NDList();
        long[] passes = new long[lossOf.length];
        int[] order = new int[lossOf.length];
        int at = 0;
        for (Map.Entry<RobustLoss, List<Integer>> g : groups.entrySet()) {
            int[] rows = g.getValue().stream().mapToInt(Integer::intValue).toArray();
            try (OuterLoop.State sub = state.subset(rows)) {
                RobustLoss.Evaluation e = g.getKey().evaluate(f, sub.point(),
                        Rows.select(active.labels(), rows), active.rng().rows(rows));
                losses.add(e.loss());
                grads.add(e.grad());
                for (int j = 0; j < rows.length; j++) {
                    passes[rows[j]] = e.passes()[j];
                }
            }
            for (int r : rows) {
                order[r] = at++;
            }
        }
        return new RobustLoss.Evaluation(Rows.select(NDArrays.concat(losses), order),
                Rows.select(NDArrays.concat(grads), order), passes);
    }

    /**
     * Fast mode's exit checks after this step, for the images whose step {@code t} (before it) is followed by
     * one: all checked together, in groups of images at the same step (which share their random stream's draw
     * count).
     *
     * @return per image: passed its check and leaves (its exit point set)
     */
    private boolean[] checks(int[] t) {
        List<Progress> rows = active.rows();
        if (early == null) {
            return new boolean[rows.size()];
        }
        TreeMap<Integer, List<Integer>> byStep = new TreeMap<>();
        for (int i = 0; i < t.length; i++) {
            if (cfg.fast().checksAfter(t[i], cfg.outerSteps())) {
                byStep.computeIfAbsent(t[i], k -> new ArrayList<>()).add(i);
            }
        }
        List<EarlyExit.Group> groups = new ArrayList<>();
        for (List<Integer> g : byStep.values()) {
            int[] idx = g.stream().mapToInt(Integer::intValue).toArray();
            groups.add(new EarlyExit.Group(idx, active.rng().rows(idx)));
        }
        if (groups.isEmpty()) {
            return new boolean[rows.size()];
        }
        return early.check(f, () -> state.image(), active.x0(), active.labels(), ball, rows, groups, t);
    }

    /** Keeps the given rows (positions) of the batch and of the optimiser state. */
    private void keep(int[] stay) {
        if (stay.length == active.rows().size()) {
            return;
        }
        if (stay.length == 0) {
            state.close();
            state = null;
        } else {
            state.compact(stay);
        }
        active.keep(stay);
    }

    private Finished finished(Progress p, NDArray image, long label) {
        NDScope.unregister(image);
        image.attach(results);
        return new Finished(p.id, image, label, p.loss, p.passes, p.t);
    }

    /** @return {@code a} in this stream's own manager, outside any scope */
    private NDArray owned(NDArray a) {
        NDScope.unregister(a);
        a.attach(own);
        return a;
    }

    /** Frees every image still in the stream. */
    @Override
    public void close() {
        PreemptEngine.run(() -> {
            pending.forEach(d -> d.image().close());
            pending.clear();
            if (state != null) {
                state.close();
                state = null;
            }
            active.close();
            if (fallback != null) {
                fallback.close();
            }
            own.close();
        });
    }
}
