package ai.preempt.protect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Attack;
import ai.preempt.data.Image;
import ai.preempt.data.ImageQuality;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.Jpeg;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Lemma1;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job for a set of photos: predict, robustify each photo at its own size through the server's
 * preprocessing, round to 8 bits inside the δ-ball at full resolution, and judge what will be written (labels,
 * robust loss, Lemma 1, distances, PSNR, SSIM, the check attack, JPEG survival), all as the server sees it.
 *
 * <p>Photos of different sizes are robustified in separate batches, one per size. The pipeline is the one given
 * ({@link Builder#optPipeline}); without one, photos of the model's size go straight in and others are resized
 * (shorter side) and centre-cropped to the model's input ({@link Pipeline#fitTo}).
 */
public final class Protector {

    /** The JPEG qualities every verdict reports. */
    public static final List<Integer> JPEG_QUALITIES = List.of(95, 90, 75);
    private final Classifier f;
    private final Robustifier robustifier;
    /** Lemma 1 on what is written: the robust loss of the 8-bit photo, as the server sees it. */
    private final Lemma1 judge;
    private final boolean quantize;
    private final Attack check;
    private final Pipeline pipeline;
    private final Jpeg survive;
    private final PipelineClassifier.InnerAttack innerAttack;

    private Protector(Builder b) {
        this.f = b.f;
        this.robustifier = b.robustifier;
        this.judge = new Lemma1(robustifier.config());
        this.quantize = b.quantize;
        this.check = b.check;
        this.pipeline = b.pipeline;
        this.survive = b.survive;
        this.innerAttack = b.innerAttack;
    }

    /**
     * @param f the classifier to protect against (the model, without preprocessing)
     * @param robustifier the robustifier; its budgets are in the photo's pixel space
     */
    public static Builder builder(Classifier f, Robustifier robustifier) {
        return new Builder(f, robustifier);
    }

    /** A protected image and its verdict. */
    public record Protected(Image image, Verdict verdict) {}

    /**
     * @param originals photos of any sizes, on the 8-bit grid
     * @param names one name per photo
     * @param trueLabels true labels, or null when unknown; when given, robustification protects them (else the
     *     prediction ŷ)
     * @return one result per photo, in order
     * @throws IllegalArgumentException when the pipeline cannot turn a photo into the model's input
     */
    public List<Protected> protect(List<Image> originals, List<String> names, int[] trueLabels) {
        Map<List<Integer>, List<Integer>> bySize = new LinkedHashMap<>();
        for (int i = 0; i < originals.size(); i++) {
            Image im = originals.get(i);
            bySize.computeIfAbsent(List.of(im.height(), im.width()), k -> new ArrayList<>()).add(i);
        }
        Protected[] out = new Protected[originals.size()];
        for (List<Integer> group : bySize.values()) {
            List<Protected> res = PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDList parts = new NDList();
                    for (int i : group) {
                        parts.add(originals.get(i).toNDArray(m));
                    }
                    NDArray x0 = Scopes.keep(() -> Quantizer.to8bit(NDArrays.concat(parts)));
                    int[] labels = trueLabels == null ? null : group.stream().mapToInt(i -> trueLabels[i]).toArray();
                    return protectBatch(x0, group.stream().map(names::get).toList(), labels);
                }
            });
            for (int k = 0; k < group.size(); k++) {
                out[group.get(k)] = res.get(k);
            }
        }
        return Arrays.asList(out);
    }

    /** @return the server's view of photos of size h×w: the pipeline, then the model */
    public PipelineClassifier serverView(int h, int w) {
        return view(pipelineFor(h, w), h, w);
    }

    private Pipeline pipelineFor(int h, int w) {
        return pipeline != null ? pipeline
                : Pipeline.fitTo(new int[] {h, w}, (int) f.inputShape().get(1), (int) f.inputShape().get(2));
    }

    private PipelineClassifier view(Pipeline p, int h, int w) {
        return PipelineClassifier.builder().setClassifier(f).setPipeline(p).setPhotoSize(h, w)
                .optInnerAttack(innerAttack).build();
    }

    /**
     * As {@link #protect}, for photos of one size already in a tensor (N×C×H×W, 8-bit grid).
     */
    public List<Protected> protectBatch(NDArray x0, List<String> names, int[] trueLabels) {
        return PreemptEngine.call(() -> Scopes.keepAll(() -> {
            Served s = served((int) x0.getShape().get(2), (int) x0.getShape().get(3));
            NDArray given = trueLabels == null ? null : x0.getManager().create(Arrays.stream(trueLabels)
                    .asLongStream().toArray());
            return s.verdicts(x0, robustifier.robustify(s.robustifyWith, x0, given), names, trueLabels);
        }));
    }

    /**
     * Opens a stream for photos of size h×w: photos join while others are being protected and leave with their
     * verdicts as soon as they are done (continuous batching; see {@link ai.preempt.robustify.RobustifyStream}).
     *
     * @throws UnsupportedOperationException for a robustifier that runs whole batches only (the fastest mode)
     */
    public ProtectStream stream(int h, int w) {
        return stream(h, w, ProtectStream.VerdictGrouping.IMMEDIATE);
    }

    /** As {@link #stream(int, int)}, judging finished photos together as {@code grouping} says. */
    public ProtectStream stream(int h, int w, ProtectStream.VerdictGrouping grouping) {
        return new ProtectStream(served(h, w), robustifier, grouping);
    }

    /** @return the server's view of photos of size h×w and what robustification optimises for them */
    Served served(int h, int w) {
        Pipeline p = pipelineFor(h, w);
        PipelineClassifier server = view(p, h, w);
        return new Served(p, server, robustifyWith(server, p, h, w), h, w);
    }

    /**
     * Photos of one size as the server sees them: the pipeline, the server's view, and what robustification
     * optimises; judges robustified photos ({@link #verdicts}).
     */
    final class Served {
        private final Pipeline served;
        private final PipelineClassifier server;
        final ServerViews robustifyWith;
        private final int h;
        private final int w;

        private Served(Pipeline served, PipelineClassifier server, ServerViews robustifyWith, int h, int w) {
            this.served = served;
            this.server = server;
            this.robustifyWith = robustifyWith;
            this.h = h;
            this.w = w;
        }

        /**
         * Rounds robustified photos to 8 bits (unless told not to) and judges what will be written.
         *
         * @param x0 the originals (N×C×H×W, 8-bit grid)
         * @param r their robustification, row-aligned
         * @param names one name per photo
         * @param trueLabels true labels, or null when unknown
         * @return one result per photo, in order
         */
        List<Protected> verdicts(NDArray x0, RobustifyResult r, List<String> names, int[] trueLabels) {
            RobustifyConfig cfg = robustifier.config();
            ThreatModel ball = cfg.adversary().withEps(cfg.delta());
            long[] before = server.predict(x0).toLongArray();
            NDArray out = quantize ? Quantizer.quantize(x0, r.images(), ball) : r.images();
            long[] after = server.predict(out).toLongArray();
            NDArray y = x0.getManager().create(r.labels());
            float[] loss = judge.robustLoss(server, out, y);
            float[] linf = ThreatModel.of(Norm.LINF, 1).distance(out, x0).toFloatArray();
            float[] l2 = ThreatModel.of(Norm.L2, 1).distance(out, x0).toFloatArray();
            int n = (int) x0.getShape().get(0);
            long[] attackedBefore = unset(n);
            long[] attackedAfter = unset(n);
            if (check != null) {
                attackedBefore = check.perturb(server, x0, x0.getManager().create(before)).predictions();
                attackedAfter = check.perturb(server, out, y).predictions();
            }
            List<List<Verdict.JpegSurvival>> jpeg = jpegSurvival(served, out, y, n, h, w);
            List<Protected> result = new ArrayList<>(n);
            List<String> classes = f.classes();
            for (int i = 0; i < n; i++) {
                Image orig = Image.fromNDArray(x0.get(i));
                Image img = Image.fromNDArray(out.get(i));
                double psnr = ImageQuality.psnr(orig.chw(), img.chw());
                double ssim = ImageQuality.ssim(orig.chw(), img.chw(), img.channels(), img.height(), img.width());
                result.add(new Protected(img, new Verdict(names.get(i), before[i], classes.get((int) before[i]),
                        after[i], classes.get((int) after[i]), r.labels()[i], loss[i], Lemma1.holds(loss[i]), linf[i], l2[i],
                        psnr, ssim, r.passes()[i] + judge.passesPerImage(), r.outerSteps()[i],
                        trueLabels == null ? -1 : trueLabels[i], attackedBefore[i], attackedAfter[i], h, w,
                        served.spec(), robustifyWith.spec(), jpeg.get(i))));
            }
            return result;
        }
    }

    /**
     * What robustification optimises: the server alone, or with {@code --survive jpeg:q} the server and the same
     * server after a JPEG re-encode of the upload ({@link ServerViews}: the mean robust loss over both, each with
     * its own inner attack, early exits only when robust through both, and a rerun for the server alone for an
     * image the mean leaves fooled through it). Optimising through the re-encode alone cost the lossless server
     * 6.3 pp of grey-box accuracy (docs/results/pipeline).
     */
    private ServerViews robustifyWith(PipelineClassifier server, Pipeline served, int h, int w) {
        return ServerViews.of(survive == null ? List.of(server) : List.of(server, view(served.prepend(survive), h, w)));
    }

    /** Per image, the server's label and the check attack's outcome after a JPEG re-encode at each quality. */
    private List<List<Verdict.JpegSurvival>> jpegSurvival(Pipeline served, NDArray out, NDArray y, int n, int h,
            int w) {
        List<List<Verdict.JpegSurvival>> perImage = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perImage.add(new ArrayList<>());
        }
        for (int q : JPEG_QUALITIES) {
            PipelineClassifier reencoding = view(served.prepend(new Jpeg(q)), h, w);
            long[] label = reencoding.predict(out).toLongArray();
            long[] attacked = check == null ? unset(n) : check.perturb(reencoding, out, y).predictions();
            for (int i = 0; i < n; i++) {
                perImage.get(i).add(new Verdict.JpegSurvival(q, label[i], f.classes().get((int) label[i]), attacked[i]));
            }
        }
        return perImage;
    }

    private static long[] unset(int n) {
        long[] a = new long[n];
        Arrays.fill(a, -1);
        return a;
    }

    /** Builder: classifier and robustifier required, the rest optional. */
    public static final class Builder {
        private final Classifier f;
        private final Robustifier robustifier;
        private boolean quantize = true;
        private Attack check;
        private Pipeline pipeline;
        private Jpeg survive;
        private PipelineClassifier.InnerAttack innerAttack = PipelineClassifier.InnerAttack.MODEL_INPUT;

        private Builder(Classifier f, Robustifier robustifier) {
            if (f == null || robustifier == null) {
                throw new IllegalArgumentException("a protector needs a classifier and a robustifier");
            }
            this.f = f;
            this.robustifier = robustifier;
        }

        /** An attack run on original and protected photo (through the pipeline) to show the difference (default none). */
        public Builder optCheck(Attack v) { check = v; return this; }
        /** Round to 8 bits, what a user uploads (default true); false keeps floats (the reference's evaluation). */
        public Builder optQuantize(boolean v) { quantize = v; return this; }
        /** The server's preprocessing (default: {@link Pipeline#fitTo} the model's input). */
        public Builder optPipeline(Pipeline v) { pipeline = v; return this; }
        /**
         * Robustify for the server both as it is and after a JPEG re-encode of the upload at this quality
         * (default none: as it is only).
         */
        public Builder optSurvive(Jpeg v) { survive = v; return this; }
        /** Where robustification's inner attack runs (default after the pipeline's linear prefix). */
        public Builder optInnerAttack(PipelineClassifier.InnerAttack v) { innerAttack = v; return this; }

        /** @return the protector */
        public Protector build() {
            return new Protector(this);
        }
    }
}
