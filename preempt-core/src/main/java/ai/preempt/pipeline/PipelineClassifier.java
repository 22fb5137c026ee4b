package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import java.util.List;

/**
 * What a server does with an uploaded photo: its preprocessing {@link Pipeline}, then the classifier. The input
 * is the photo at its own size (C×H×W, {@link #inputShape}); attacks, robustification and the quantizer work on
 * it unchanged, so budgets, the δ-ball and the 8-bit grid are all in the photo's pixel space, where the
 * attacker acts.
 *
 * <h2>Where the inner attack of robustification may run</h2>
 * Robustification asks whether an attacker within B_ε(x) of the photo x can change the label. With
 * {@link InnerAttack#MODEL_INPUT} (the default) that attack runs instead after the pipeline's linear prefix P
 * (resize, crop; see {@link Pipeline#split}) on P(x), within B_{gε}(P(x)) where g bounds ‖P‖ in the threat
 * norm. It is at least as strong as a full-resolution attacker: P is linear, so P(x + η) = P(x) + P(η) with
 * ‖P(η)‖ ≤ g‖η‖ ≤ gε, i.e. P maps the photo's ball B_ε(x) into B_{gε}(P(x)), and whatever a full-resolution
 * attacker can reach, the model-input attacker can reach too (the converse fails: P(B_ε) can be smaller).
 * For L∞, a resize whose rows are non-negative and sum to 1 (antialiased or plain bilinear, area averaging)
 * and a crop have g = 1 exactly: each output pixel is a convex combination of input pixels, so
 * |P(η)_i| ≤ max_j |η_j|. A kernel with negative lobes (bicubic, Lanczos) has max row Σ|w| > 1 and can grow an
 * L∞ perturbation; it would get g &gt; 1 here, not 1. For L2, g = Π_axes √(‖R‖₁‖R‖∞) bounds the operator norm:
 * an L2 perturbation shrinks through antialiased downscaling (g ≈ 1/s for a 2-D shrink by s per axis, 0.14 for
 * 256→32) and may grow through enlarging (g = 2 for ×2), in which case the inner attack gets the larger ball. A JPEG stage is not linear
 * and has no such bound, so the prefix ends before it and the rest of the pipeline runs inside the classifier
 * the inner attack sees. The fast modes' exit checks attack there too (an image no attacker in the larger ball
 * fools is not fooled by any in the photo's ball either), which saves 3–5 % of a 256×256 photo's time
 * (docs/results/pipeline). The protected image, its 8-bit rounding and the verdict's checks stay at full
 * resolution.
 *
 * <p>The wrapper does not own the inner classifier: {@link #close} leaves it open.
 */
public final class PipelineClassifier implements Classifier {

    /** Where robustification's inner attack runs (see the class comment). */
    public enum InnerAttack {
        /** After the pipeline's linear prefix, in a ball grown by its gain: cheaper, at least as strong. */
        MODEL_INPUT,
        /** On the photo itself, through the whole pipeline. */
        PHOTO
    }

    private final Pipeline pipeline;
    private final Classifier inner;
    private final Shape photo;
    private final InnerAttack innerAttack;

    private PipelineClassifier(Builder b) {
        this.pipeline = b.pipeline;
        this.inner = b.inner;
        this.photo = new Shape(b.inner.inputShape().get(0), b.height, b.width);
        this.innerAttack = b.innerAttack;
        int[] out = pipeline.outputSize(new int[] {b.height, b.width});
        long h = inner.inputShape().get(1);
        long w = inner.inputShape().get(2);
        if (out[0] != h || out[1] != w) {
            throw new IllegalArgumentException("the pipeline " + pipeline.spec() + " turns a " + b.height + "x"
                    + b.width + " photo into " + out[0] + "x" + out[1] + " but the model " + inner.name() + " takes "
                    + h + "x" + w + "; give a pipeline that ends at the model's size (e.g. resize=" + Math.max(h, w)
                    + ",crop=" + (h == w ? Long.toString(h) : h + "x" + w) + ")");
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray logits(NDArray images) {
        if (pipeline.isIdentity()) {
            return inner.logits(images);
        }
        try (NDArray pre = pipeline.apply(images)) {
            return inner.logits(pre);
        }
    }

    @Override
    public int numClasses() {
        return inner.numClasses();
    }

    /** @return C×H×W of the photo this wrapper was built for */
    @Override
    public Shape inputShape() {
        return photo;
    }

    @Override
    public List<String> classes() {
        return inner.classes();
    }

    @Override
    public String name() {
        return inner.name() + (pipeline.isIdentity() ? "" : " after " + pipeline.spec());
    }

    /** @return the preprocessing */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** @return the classifier after the pipeline */
    public Classifier inner() {
        return inner;
    }

    /**
     * Where robustification's inner attack runs for {@code norm}: the linear prefix of the pipeline (empty under
     * {@link InnerAttack#PHOTO}), the classifier that sees its output, and the factor by which the attacker's
     * budget grows there.
     */
    public InnerView innerView(Norm norm) {
        int[] size = {(int) photo.get(1), (int) photo.get(2)};
        Pipeline.Split s = pipeline.split(norm, size);
        if (innerAttack == InnerAttack.PHOTO || s.front().isIdentity()) {
            return new InnerView(Pipeline.identity(), this, 1);
        }
        PipelineClassifier back = builder().setClassifier(inner).setPipeline(s.back())
                .setPhotoSize(s.frontSize()[0], s.frontSize()[1]).build();
        return new InnerView(s.front(), back, s.gain());
    }

    /**
     * @param front maps the photo to where the inner attack runs (differentiable, linear)
     * @param classifier what the inner attack attacks there
     * @param gain the attacker's budget there is gain·ε
     */
    public record InnerView(Pipeline front, Classifier classifier, double gain) {}

    /** Leaves the inner classifier open: the caller that loaded it closes it. */
    @Override
    public void close() {}

    /** Builder: classifier, pipeline and photo size required; inner attack optional. */
    public static final class Builder {
        private Classifier inner;
        private Pipeline pipeline;
        private int height;
        private int width;
        private InnerAttack innerAttack = InnerAttack.MODEL_INPUT;

        /** The classifier after the pipeline. */
        public Builder setClassifier(Classifier v) { inner = v; return this; }
        /** The preprocessing. */
        public Builder setPipeline(Pipeline v) { pipeline = v; return this; }
        /** The photo size H×W the wrapper takes. */
        public Builder setPhotoSize(int h, int w) { height = h; width = w; return this; }
        /** Where robustification's inner attack runs (default {@link InnerAttack#MODEL_INPUT}). */
        public Builder optInnerAttack(InnerAttack v) { innerAttack = v; return this; }

        /**
         * @throws IllegalArgumentException when something required is missing or the pipeline does not turn the
         *     photo into the model's input size
         */
        public PipelineClassifier build() {
            if (inner == null || pipeline == null || height < 1 || width < 1) {
                throw new IllegalArgumentException("a pipeline classifier needs a classifier, a pipeline and a photo size");
            }
            return new PipelineClassifier(this);
        }
    }
}
