package ai.preempt.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.Jpeg;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Robustification of photos behind a server's pipeline, measured one way for every path: robustify the uploads
 * (timed; the prediction ŷ is protected, the true label only judges), round to 8 bits inside the δ-ball, then the
 * accuracy the server reaches on them, clean and under a grey-box attack on the upload through the pipeline, also
 * when the server first re-encodes the upload as JPEG (attacks through the codec use BPDA gradients). Several
 * paths run interleaved batch by batch, so that their cost ratio holds on a machine whose load changes.
 */
public final class PipelineBenchmark {

    private PipelineBenchmark() {}

    /**
     * What one path reached.
     *
     * @param path its name (e.g. "model-resolution", "full-resolution")
     * @param images number of images
     * @param uploadSize H×W of what was robustified and uploaded
     * @param pipeline the server's preprocessing of the upload
     * @param robustifiedThrough what robustification optimised through
     * @param secondsPerImage robustification wall time per image (robustify and round; not the attacks)
     * @param cpuSecondsPerImage the process's CPU time for the same (on a shared machine, fairer than wall time;
     *     with one compute thread it is the computation's own time)
     * @param computeCpuSecondsPerImage the compute thread's CPU time for the same: with one intra-op thread all
     *     tensor work, without the JVM's own threads (garbage collection, JIT compilation)
     * @param cpuSecondsPerImageWithAttacks the process's CPU time for robustification and every attack on the result
     * @param passesPerImage forward+backward passes of robustification per image (the work, whatever the image size)
     * @param outerStepsPerImage outer steps per image (early exits make it less than T)
     * @param clean accuracy of the server on the protected uploads
     * @param attacked accuracy under the grey-box attack
     * @param jpeg quality → {clean, attacked} accuracy when the server re-encodes the upload at that quality
     * @param perImage what happened to each image, in order
     */
    public record PathResult(String path, int images, String uploadSize, String pipeline, String robustifiedThrough,
            double secondsPerImage, double cpuSecondsPerImage, double computeCpuSecondsPerImage,
            double cpuSecondsPerImageWithAttacks, double passesPerImage, double outerStepsPerImage, double clean,
            double attacked, Map<Integer, double[]> jpeg, PerImage perImage) {}

    /** An image's outcome on a server: misclassified, classified right but fooled by the attack, or robust. */
    public enum Outcome { WRONG, FOOLED, ROBUST }

    /**
     * Per image, in order: which images are not robust, and whether they left robustification early.
     *
     * @param outerSteps outer steps the image took (fewer than T: fast mode let it out early)
     * @param lossless its outcome on the server as it is
     * @param jpeg quality → its outcome when the server re-encodes the upload at that quality
     */
    public record PerImage(List<Integer> outerSteps, List<Outcome> lossless, Map<Integer, List<Outcome>> jpeg) {}

    /**
     * One way to protect the photos: what is uploaded and how the server and robustification see it.
     *
     * @param name the path's name
     * @param uploads the images the user uploads, 8-bit, one size (the same images, in the same order, on every
     *     path of a run)
     * @param pipeline the server's preprocessing of an upload (must end at the model's input size)
     * @param where where robustification's inner attack runs
     */
    public record Path(String name, LabeledImages uploads, Pipeline pipeline, PipelineClassifier.InnerAttack where) {}

    /**
     * Runs every path on the same images, interleaved batch by batch (batch b runs the paths in the given order
     * when b is even and in reverse when odd), so that a load that changes during the run weighs on every path
     * alike and their time ratio is fair; each batch is timed on its own.
     *
     * @param paths the paths, each over the same number of images
     * @param f the model (no preprocessing)
     * @param survive robustify for the server also after a JPEG re-encode of the upload at this quality, or null
     * @param r the robustifier (budgets in the upload's pixels)
     * @param attack the grey-box attack (same budget)
     * @param qualities JPEG qualities to report
     * @param batch images per batch
     * @return one result per path, in the given order
     */
    public static List<PathResult> run(List<Path> paths, Classifier f, Jpeg survive, Robustifier r, Attack attack,
            List<Integer> qualities, int batch) {
        int n = paths.get(0).uploads().size();
        List<Run> runs = new ArrayList<>();
        for (Path p : paths) {
            if (p.uploads().size() != n) {
                throw new IllegalArgumentException("every path needs the same images: " + p.name() + " has "
                        + p.uploads().size() + ", not " + n);
            }
            runs.add(new Run(p, f, survive, qualities));
        }
        List<LabeledImages.Range> ranges = paths.get(0).uploads().batchRanges(batch);
        for (int b = 0; b < ranges.size(); b++) {
            for (int k = 0; k < runs.size(); k++) {
                runs.get(b % 2 == 0 ? k : runs.size() - 1 - k).batch(ranges.get(b), r, attack);
            }
        }
        List<PathResult> out = new ArrayList<>();
        for (Run run : runs) {
            out.add(run.result(n));
        }
        return out;
    }

    /** One path's views and running totals. */
    private static final class Run {
        private final Path path;
        private final int[] shape;
        private final PipelineClassifier server;
        private final ServerViews robustifyWith;
        private final List<PipelineClassifier> afterJpeg = new ArrayList<>();
        private final List<Integer> qualities;
        private final int[] counts;
        private final List<Integer> steps = new ArrayList<>();
        private final List<List<Outcome>> outcomes = new ArrayList<>();
        private double wall;
        private double cpu;
        private double computeCpu;
        private double cpuWithAttacks;
        private long passes;
        private long outerSteps;

        Run(Path path, Classifier f, Jpeg survive, List<Integer> qualities) {
            this.path = path;
            this.shape = path.uploads().imageShape();
            this.server = view(f, path.pipeline(), shape, path.where());
            // with survive, both servers at once (see Protector and ServerViews)
            this.robustifyWith = ServerViews.of(survive == null ? List.of(server)
                    : List.of(server, view(f, path.pipeline().prepend(survive), shape, path.where())));
            for (int q : qualities) {
                afterJpeg.add(view(f, path.pipeline().prepend(new Jpeg(q)), shape, path.where()));
            }
            this.qualities = qualities;
            this.counts = new int[2 + 2 * qualities.size()];
            for (int k = 0; k <= qualities.size(); k++) {
                outcomes.add(new ArrayList<>());
            }
        }

        void batch(LabeledImages.Range range, Robustifier r, Attack attack) {
            PreemptEngine.run(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray x0 = path.uploads().images(m, range.from(), range.to());
                    NDArray y = path.uploads().labels(m, range.from(), range.to());
                    long t0 = System.nanoTime();
                    long c0 = cpuNanos();
                    long k0 = PreemptEngine.computeCpuNanos();
                    RobustifyResult res = r.robustify(robustifyWith, x0, null);
                    NDArray xs = Quantizer.quantize(x0, res.images(), r.config().adversary().withEps(r.config().delta()));
                    wall += (System.nanoTime() - t0) / 1e9;
                    cpu += (cpuNanos() - c0) / 1e9;
                    computeCpu += (PreemptEngine.computeCpuNanos() - k0) / 1e9;
                    passes += LongStream.of(res.passes()).sum();
                    outerSteps += IntStream.of(res.outerSteps()).sum();
                    IntStream.of(res.outerSteps()).forEach(steps::add);
                    long[] labels = y.toLongArray();
                    score(server, attack, xs, y, labels, counts, 0, outcomes.get(0));
                    for (int k = 0; k < afterJpeg.size(); k++) {
                        score(afterJpeg.get(k), attack, xs, y, labels, counts, 2 + 2 * k, outcomes.get(k + 1));
                    }
                    cpuWithAttacks += (cpuNanos() - c0) / 1e9;
                }
            });
        }

        PathResult result(int n) {
            Map<Integer, double[]> jpeg = new LinkedHashMap<>();
            Map<Integer, List<Outcome>> jpegOutcomes = new LinkedHashMap<>();
            for (int k = 0; k < qualities.size(); k++) {
                jpeg.put(qualities.get(k), new double[] {counts[2 + 2 * k] / (double) n, counts[3 + 2 * k] / (double) n});
                jpegOutcomes.put(qualities.get(k), outcomes.get(k + 1));
            }
            return new PathResult(path.name(), n, shape[1] + "x" + shape[2], path.pipeline().spec(),
                    robustifyWith.spec(), wall / n, cpu / n, computeCpu / n, cpuWithAttacks / n, passes / (double) n,
                    outerSteps / (double) n, counts[0] / (double) n,
                    counts[1] / (double) n, jpeg, new PerImage(steps, outcomes.get(0), jpegOutcomes));
        }
    }

    /** @return the CPU time this process has used, in nanoseconds */
    public static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void score(Classifier server, Attack attack, NDArray xs, NDArray y, long[] labels, int[] counts,
            int at, List<Outcome> outcomes) {
        boolean[] correct = AttackResult.correct(server.predict(xs).toLongArray(), labels);
        counts[at] += AttackResult.count(correct);
        AttackResult a = attack.perturb(server, xs, y);
        counts[at + 1] += a.robustCount(correct);
        for (int i = 0; i < correct.length; i++) {
            outcomes.add(!correct[i] ? Outcome.WRONG : a.success()[i] ? Outcome.FOOLED : Outcome.ROBUST);
        }
        a.adversarial().close();
    }

    private static PipelineClassifier view(Classifier f, Pipeline p, int[] shape, PipelineClassifier.InnerAttack where) {
        return PipelineClassifier.builder().setClassifier(f).setPipeline(p).setPhotoSize(shape[1], shape[2])
                .optInnerAttack(where).build();
    }
}
