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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Robustification of photos behind a server's pipeline, measured one way for every path: robustify the uploads
 * (timed; the prediction ŷ is protected, the true label only judges), round to 8 bits inside the δ-ball, then the
 * accuracy the server reaches on them, clean and under a grey-box attack on the upload through the pipeline, also
 * when the server first re-encodes the upload as JPEG (attacks through the codec use BPDA gradients).
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
     * @param clean accuracy of the server on the protected uploads
     * @param attacked accuracy under the grey-box attack
     * @param jpeg quality → {clean, attacked} accuracy when the server re-encodes the upload at that quality
     */
    public record PathResult(String path, int images, String uploadSize, String pipeline, String robustifiedThrough,
            double secondsPerImage, double cpuSecondsPerImage, double clean, double attacked, Map<Integer, double[]> jpeg) {}

    /**
     * @param name the path's name
     * @param f the model (no preprocessing)
     * @param uploads the images the user uploads, 8-bit, one size
     * @param pipeline the server's preprocessing of an upload (must end at the model's input size)
     * @param where where robustification's inner attack runs
     * @param survive robustify for the server also after a JPEG re-encode of the upload at this quality, or null
     * @param r the robustifier (budgets in the upload's pixels)
     * @param attack the grey-box attack (same budget)
     * @param qualities JPEG qualities to report
     */
    public static PathResult run(String name, Classifier f, LabeledImages uploads, Pipeline pipeline,
            PipelineClassifier.InnerAttack where, Jpeg survive, Robustifier r, Attack attack, List<Integer> qualities,
            int batch) {
        int[] shape = uploads.imageShape();
        PipelineClassifier server = view(f, pipeline, shape, where);
        // with survive, both servers at once (see Protector and ServerViews)
        ServerViews robustifyWith = ServerViews.of(survive == null ? List.of(server)
                : List.of(server, view(f, pipeline.prepend(survive), shape, where)));
        double[] seconds = {0, 0};
        int[] counts = new int[2 + 2 * qualities.size()];
        for (LabeledImages.Range range : uploads.batchRanges(batch)) {
            PreemptEngine.run(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray x0 = uploads.images(m, range.from(), range.to());
                    NDArray y = uploads.labels(m, range.from(), range.to());
                    long t0 = System.nanoTime();
                    long c0 = cpuNanos();
                    RobustifyResult res = r.robustify(robustifyWith, x0, null);
                    NDArray xs = Quantizer.quantize(x0, res.images(), r.config().adversary().withEps(r.config().delta()));
                    seconds[0] += (System.nanoTime() - t0) / 1e9;
                    seconds[1] += (cpuNanos() - c0) / 1e9;
                    long[] labels = y.toLongArray();
                    score(server, attack, xs, y, labels, counts, 0);
                    for (int k = 0; k < qualities.size(); k++) {
                        score(view(f, pipeline.prepend(new Jpeg(qualities.get(k))), shape, where), attack, xs, y,
                                labels, counts, 2 + 2 * k);
                    }
                }
            });
        }
        int n = uploads.size();
        Map<Integer, double[]> jpeg = new LinkedHashMap<>();
        for (int k = 0; k < qualities.size(); k++) {
            jpeg.put(qualities.get(k), new double[] {counts[2 + 2 * k] / (double) n, counts[3 + 2 * k] / (double) n});
        }
        return new PathResult(name, n, shape[1] + "x" + shape[2], pipeline.spec(), robustifyWith.spec(), seconds[0] / n,
                seconds[1] / n, counts[0] / (double) n, counts[1] / (double) n, jpeg);
    }

    /** @return the CPU time this process has used, in nanoseconds */
    public static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void score(Classifier server, Attack attack, NDArray xs, NDArray y, long[] labels, int[] counts,
            int at) {
        boolean[] correct = AttackResult.correct(server.predict(xs).toLongArray(), labels);
        counts[at] += AttackResult.count(correct);
        AttackResult a = attack.perturb(server, xs, y);
        counts[at + 1] += a.robustCount(correct);
        a.adversarial().close();
    }

    private static PipelineClassifier view(Classifier f, Pipeline p, int[] shape, PipelineClassifier.InnerAttack where) {
        return PipelineClassifier.builder().setClassifier(f).setPipeline(p).setPhotoSize(shape[1], shape[2])
                .optInnerAttack(where).build();
    }
}
