package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.preempt.engine.Rows;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * Keeps robustification against several servers ({@link ServerViews}, e.g. {@code --survive jpeg:75}) from costing
 * the server as it is (the primary view). Descending the views' mean splits each outer step between the servers;
 * an image still at the decision boundary after all T steps can end robust only after the re-encode. Such an
 * image (one that took its T steps without passing an exit check; a passed exit check already attacked it
 * through every view) is attacked through the primary view alone ({@link ConfirmCheck}: PGD-K with
 * {@value #RESTARTS} restarts on its 8-bit image). If no restart fools it, it leaves as it is. Otherwise its
 * original is robustified again for the primary view alone, in a stream of its own that runs beside the main one
 * (the same seed and per-image random stream: the image the default robustification would give), and the image
 * leaves as that result when the same check passes it, or else as whichever of the two the check's attack hurt
 * less.
 * Cost: the check on the images that ran all T steps, and one primary-only robustification on those it rejects.
 */
final class PrimaryFallback implements AutoCloseable {

    /** Restarts of the primary view's check. */
    static final int RESTARTS = 2;

    /** A mean-descent result waiting for its primary-only rerun, with its original and its check's figures. */
    private record Waiting(RobustifyStream.Finished first, NDArray x0, float checkLoss, long checkPasses) {}

    private final RobustifyConfig cfg;
    private final Classifier primary;
    private final ThreatModel ball;
    private final ConfirmCheck check;
    private final OuterLoop loop;
    private final NDManager results;
    /** The originals waiting for a rerun; made with the rerun stream, on the first rejection. */
    private NDManager own;
    /** The primary-only stream of the reruns; null until an image needs one. */
    private RobustifyStream rerun;
    /** Rerun id → the main stream's result it may replace. */
    private final Map<Long, Waiting> waiting = new HashMap<>();

    /**
     * @param loop the robustifier whose main stream this follows
     * @param views the servers; the first is the primary
     * @param results the manager a stream's results are handed out in (unused by {@link #batch})
     */
    PrimaryFallback(OuterLoop loop, ServerViews views, NDManager results) {
        this.loop = loop;
        this.cfg = loop.cfg;
        this.primary = views.views().get(0);
        this.ball = cfg.adversary().withEps(cfg.delta());
        // only a restart that fools it rejects an image: a bound on the loss (log 2 was tried) rejected 234 of the
        // 267 images that ran all T steps on 500 training images and undid the re-encode's gain with them
        this.check = new ConfirmCheck(cfg, RESTARTS, Double.POSITIVE_INFINITY);
        this.results = results;
    }

    /** @return whether robustifying for {@code f} needs a fallback: several server views */
    static boolean needed(Classifier f) {
        return f instanceof ServerViews s && s.views().size() > 1;
    }

    /**
     * Checks images that left the main stream after all T steps (on the engine thread).
     *
     * @param done the images (x_s of each)
     * @param x0 their originals, row-aligned with {@code done}
     * @param labels their protected labels
     * @return those that pass, ready to hand out; the others wait for their rerun
     */
    List<RobustifyStream.Finished> review(List<RobustifyStream.Finished> done, NDArray x0, NDArray labels) {
        ConfirmCheck.Verdict v = verdict(done, x0, labels);
        List<RobustifyStream.Finished> out = new ArrayList<>();
        List<Integer> rejected = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            RobustifyStream.Finished d = done.get(i);
            if (v.exit()[i]) {
                out.add(new RobustifyStream.Finished(d.id(), d.image(), d.label(), d.robustLoss(),
                        d.passes() + v.passes()[i], d.outerSteps()));
            } else {
                rejected.add(i);
            }
        }
        if (!rejected.isEmpty()) {
            int[] rows = rejected.stream().mapToInt(Integer::intValue).toArray();
            if (rerun == null) {
                own = results.newSubManager();
                rerun = new RobustifyStream(loop, primary, results);
            }
            long[] ids = Scopes.keepAll(() -> rerun.admit(Rows.select(x0, rows), Rows.select(labels, rows)));
            for (int j = 0; j < rows.length; j++) {
                int row = rows[j];
                NDArray original = Scopes.keep(() -> x0.get(row).expandDims(0));
                NDScope.unregister(original);
                original.attach(own);
                waiting.put(ids[j], new Waiting(done.get(row), original, v.loss()[row], v.passes()[row]));
            }
        }
        return out;
    }

    /** @return the main stream's results, kept or replaced as this step's finished reruns decide */
    List<RobustifyStream.Finished> step() {
        if (isEmpty()) {
            return List.of();
        }
        List<RobustifyStream.Finished> done = rerun.step();
        if (done.isEmpty()) {
            return List.of();
        }
        List<Waiting> firsts = done.stream().map(d -> waiting.remove(d.id())).toList();
        ConfirmCheck.Verdict v = Scopes.keepAll(() -> verdict(done,
                NDArrays.concat(new NDList(firsts.stream().map(Waiting::x0).toArray(NDArray[]::new))),
                own.create(firsts.stream().mapToLong(w -> w.first().label()).toArray())));
        List<RobustifyStream.Finished> out = new ArrayList<>(done.size());
        for (int i = 0; i < done.size(); i++) {
            Waiting w = firsts.get(i);
            RobustifyStream.Finished again = done.get(i);
            // the rerun when its check passes, else whichever of the two the attack hurt less
            boolean takeRerun = takeRerun(v, i, w.checkLoss());
            RobustifyStream.Finished keep = takeRerun ? again : w.first();
            (takeRerun ? w.first() : again).image().close();
            w.x0().close();
            out.add(new RobustifyStream.Finished(w.first().id(), keep.image(), keep.label(), keep.robustLoss(),
                    w.first().passes() + w.checkPasses() + again.passes() + v.passes()[i],
                    w.first().outerSteps() + again.outerSteps()));
        }
        return out;
    }

    /** @return the primary view's check on the 8-bit images of {@code done} */
    private ConfirmCheck.Verdict verdict(List<RobustifyStream.Finished> done, NDArray x0, NDArray labels) {
        return Scopes.keepAll(() -> verdict(NDArrays.concat(new NDList(done.stream()
                .map(RobustifyStream.Finished::image).toArray(NDArray[]::new))), x0, labels));
    }

    /** @return the primary view's check on the 8-bit images of x_s (rows of {@code xs}, originals {@code x0}) */
    private ConfirmCheck.Verdict verdict(NDArray xs, NDArray x0, NDArray labels) {
        return Scopes.keepAll(() -> check.confirm(primary, Quantizer.quantize(x0, xs, ball), labels,
                ImageRngs.of(cfg.seed(), x0)));
    }

    /** @return whether the rerun replaces the first result: its check passed, or the check hurt it less */
    private static boolean takeRerun(ConfirmCheck.Verdict rerun, int i, float firstCheckLoss) {
        return rerun.exit()[i] || rerun.loss()[i] < firstCheckLoss;
    }

    /**
     * The same for a whole batch robustified at once (the fastest mode): the images of {@code first} that took
     * all T steps are checked through the primary view; those it rejects are robustified again by
     * {@code primaryOnly} and replaced as the stream replaces them.
     *
     * @param ranAllSteps per image of {@code first}: it took all T steps (no exit check let it out)
     * @param primaryOnly robustifies images (originals, labels) for the primary view alone
     * @return {@code first} with the replaced rows, passes and steps (its images array closed if replaced)
     */
    RobustifyResult batch(RobustifyResult first, boolean[] ranAllSteps, NDArray x0,
            BiFunction<NDArray, NDArray, RobustifyResult> primaryOnly) {
        int[] ran = IntStream.range(0, ranAllSteps.length).filter(i -> ranAllSteps[i]).toArray();
        if (ran.length == 0) {
            return first;
        }
        long[] passes = first.passes().clone();
        int[] steps = first.outerSteps().clone();
        float[] loss = first.robustLoss().clone();
        NDArray labels = Scopes.keep(() -> x0.getManager().create(first.labels()));
        try {
            ConfirmCheck.Verdict v = Scopes.keepAll(() -> verdict(Rows.select(first.images(), ran),
                    Rows.select(x0, ran), Rows.select(labels, ran)));
            int[] rejected = IntStream.range(0, ran.length).filter(j -> !v.exit()[j]).toArray();
            for (int j = 0; j < ran.length; j++) {
                passes[ran[j]] += v.passes()[j];
            }
            if (rejected.length == 0) {
                return new RobustifyResult(first.images(), first.labels(), loss, passes, steps);
            }
            int[] rows = IntStream.of(rejected).map(j -> ran[j]).toArray();
            RobustifyResult again = primaryOnly.apply(Rows.select(x0, rows), Rows.select(labels, rows));
            ConfirmCheck.Verdict w = Scopes.keepAll(() -> verdict(again.images(), Rows.select(x0, rows),
                    Rows.select(labels, rows)));
            int[] taken = IntStream.range(0, rows.length).filter(k -> takeRerun(w, k, v.loss()[rejected[k]]))
                    .toArray();
            for (int k = 0; k < rows.length; k++) {
                passes[rows[k]] += again.passes()[k] + w.passes()[k];
                steps[rows[k]] += again.outerSteps()[k];
            }
            for (int k : taken) {
                loss[rows[k]] = again.robustLoss()[k];
            }
            NDArray images = first.images();
            if (taken.length > 0) {
                images = Scopes.keep(() -> Rows.put(first.images(), IntStream.of(taken).map(k -> rows[k]).toArray(),
                        Rows.select(again.images(), taken)));
                first.images().close();
            }
            again.images().close();
            return new RobustifyResult(images, first.labels(), loss, passes, steps);
        } finally {
            labels.close();
        }
    }

    /** @return images in the rerun stream */
    int size() {
        return rerun == null ? 0 : rerun.size();
    }

    /** @return whether nothing waits for a rerun */
    boolean isEmpty() {
        return rerun == null || rerun.isEmpty();
    }

    /** Drops the main stream's image {@code id} if it waits for a rerun; @return whether it did */
    boolean drop(long id) {
        for (Map.Entry<Long, Waiting> e : waiting.entrySet()) {
            if (e.getValue().first().id() == id) {
                rerun.drop(e.getKey());
                e.getValue().first().image().close();
                e.getValue().x0().close();
                waiting.remove(e.getKey());
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        waiting.values().forEach(w -> w.first().image().close());
        waiting.clear();
        if (rerun != null) {
            rerun.close();
            own.close();
        }
    }
}
