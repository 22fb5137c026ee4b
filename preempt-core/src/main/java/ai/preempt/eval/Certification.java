package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.Progress;
import ai.preempt.report.CertifyReport;
import ai.preempt.smoothing.Certificate;
import ai.preempt.smoothing.SmoothedClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Certified accuracy of a smoothed classifier (Cohen et al.'s CERTIFY on each image). An image is certified
 * at radius r when CERTIFY's prediction is correct and its radius is at least r. {@link #certify} works on
 * any batch of images, e.g. robustified ones, so every variant goes through the same path.
 */
public final class Certification {

    /** The radii of the summary table: 0, 0.25, 0.5, 0.75, 1.0. */
    public static final List<Double> DEFAULT_RADII = List.of(0.0, 0.25, 0.5, 0.75, 1.0);

    private static final int LOAD_CHUNK = 50;

    private Certification() {}

    /**
     * Certifies each image of a batch.
     *
     * @param g the smoothed classifier
     * @param images N×C×H×W in [0,1]
     * @param labels N true labels
     * @param indices N dataset indices to record
     * @param progress advanced by one per image
     * @return per-image results, in order
     */
    public static List<CertifyReport.CertifiedImage> certify(SmoothedClassifier g, NDArray images, int[] labels,
            int[] indices, Progress progress) {
        int n = Math.toIntExact(images.getShape().get(0));
        if (labels.length != n || indices.length != n) {
            throw new IllegalArgumentException(n + " images need as many labels and indices, got " + labels.length
                    + " and " + indices.length);
        }
        List<CertifyReport.CertifiedImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = i;
            long t0 = System.nanoTime();
            Certificate c = PreemptEngine.call(() -> {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    return g.certify(images.get(at));
                }
            });
            out.add(new CertifyReport.CertifiedImage(indices[i], labels[i], c.prediction(), c.radius(), c.pLower(),
                    c.countA(), c.prediction() == labels[i], (System.nanoTime() - t0) / 1e9));
            progress.advance(1, String.format(Locale.ROOT, "radius %.3f", c.radius()));
        }
        return out;
    }

    /**
     * Certifies a set of labelled images and summarises certified accuracy at the given radii.
     *
     * @param g the smoothed classifier
     * @param data labelled images
     * @param radii radii of the summary
     * @param config options to record in the report
     * @param progress reports images done
     */
    public static CertifyReport run(SmoothedClassifier g, LabeledImages data, List<Double> radii,
            Map<String, Object> config, Progress progress) {
        return run(g, data, radii, config, progress, java.util.function.UnaryOperator.identity());
    }

    /**
     * As {@link #run(SmoothedClassifier, LabeledImages, List, Map, Progress)}, certifying {@code transform} of each
     * chunk of images instead of the images themselves (e.g. their robustified versions).
     */
    public static CertifyReport run(SmoothedClassifier g, LabeledImages data, List<Double> radii,
            Map<String, Object> config, Progress progress, java.util.function.UnaryOperator<NDArray> transform) {
        long t0 = System.nanoTime();
        List<CertifyReport.CertifiedImage> results = new ArrayList<>(data.size());
        progress.start("certify sigma " + g.sigma(), data.size());
        for (LabeledImages.Range r : data.batchRanges(LOAD_CHUNK)) {
            int[] labels = new int[r.size()];
            int[] indices = new int[r.size()];
            for (int i = 0; i < r.size(); i++) {
                labels[i] = data.label(r.from() + i);
                indices[i] = data.index(r.from() + i);
            }
            results.addAll(PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    return certify(g, transform.apply(data.images(m, r.from(), r.to())), labels, indices, progress);
                }
            }));
        }
        progress.finish();
        return report(g, radii, config, results, (System.nanoTime() - t0) / 1e9);
    }

    /** @return the report of already certified images */
    public static CertifyReport report(SmoothedClassifier g, List<Double> radii, Map<String, Object> config,
            List<CertifyReport.CertifiedImage> results, double seconds) {
        List<Double> acc = new ArrayList<>(radii.size());
        for (double r : radii) {
            acc.add(CertifyReport.accuracyAt(results, r));
        }
        int abstain = (int) results.stream().filter(c -> c.prediction() == SmoothedClassifier.ABSTAIN).count();
        return new CertifyReport(g.base().name(), g.toString(), config, results.size(), List.copyOf(radii), acc,
                abstain, seconds, results);
    }
}
