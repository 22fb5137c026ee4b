package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.model.Classifier;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One upload as several servers may see it: the same model behind different preprocessing, e.g. the lossless
 * pipeline and the same pipeline after a JPEG re-encode at quality q ({@code --survive jpeg:q}). The user does
 * not know which one the server applies, so the protection has to hold through every one of them.
 *
 * <p>Robustification against such a classifier (see {@code ai.preempt.robustify.RobustLoss} and the exit
 * checks) is an expectation over transformations: the robust loss is the <em>mean</em> over the views of each
 * view's own robust loss, every view with its own inner attack (the attacker picks its perturbation knowing
 * which pipeline follows, so one shared inner end point would understate each), and an image counts as robust
 * (fast modes' early exit) only when the check attack fails through <em>every</em> view. Optimising through the
 * JPEG view alone protects what the codec makes of the photo, not the photo: the codec's rounding absorbs part
 * of the perturbation, and the lossless server, which sees the photo unrounded, was measured to lose 6.3 pp of
 * grey-box accuracy that way (docs/results/pipeline). Gradients through a JPEG view stay BPDA (real codec
 * forward, identity backward; see {@link Jpeg}). The mean splits each step between the servers, so an image left
 * at the boundary after all T steps can end fooled through the first view; robustification then checks it
 * through the first view alone and, if fooled, robustifies it again for that view alone
 * ({@code ai.preempt.robustify.PrimaryFallback}).
 *
 * <p>As a plain {@link Classifier} it is its first view (the primary server): {@link #logits} and the labels
 * ŷ robustification protects are the first view's; code that knows nothing of views (e.g. the fastest mode's
 * warm start) therefore optimises the primary server. The wrapper does not own its views.
 */
public final class ServerViews implements Classifier {

    private final List<Classifier> views;

    private ServerViews(List<Classifier> views) {
        this.views = List.copyOf(views);
    }

    /**
     * @param views the servers, primary first; all take the same input shape and have the same classes
     * @return the views of one upload
     * @throws IllegalArgumentException when there are none or they do not agree on input shape or classes
     */
    public static ServerViews of(List<? extends Classifier> views) {
        if (views == null || views.isEmpty()) {
            throw new IllegalArgumentException("server views need at least one classifier");
        }
        Classifier first = views.get(0);
        for (Classifier v : views) {
            if (v instanceof ServerViews) {
                throw new IllegalArgumentException("server views do not nest; list the views themselves");
            }
            if (!v.inputShape().equals(first.inputShape()) || !v.classes().equals(first.classes())) {
                throw new IllegalArgumentException("server views must take the same input and have the same classes: "
                        + first.name() + " " + first.inputShape() + " vs " + v.name() + " " + v.inputShape());
            }
        }
        return new ServerViews(List.copyOf(views));
    }

    /** @return the views of {@code f}: its own list for server views, else f alone */
    public static List<Classifier> viewsOf(Classifier f) {
        return f instanceof ServerViews s ? s.views : List.of(f);
    }

    /** @return the views, primary first */
    public List<Classifier> views() {
        return views;
    }

    /** @return the primary view's logits */
    @Override
    public NDArray logits(NDArray images) {
        return views.get(0).logits(images);
    }

    @Override
    public int numClasses() {
        return views.get(0).numClasses();
    }

    @Override
    public Shape inputShape() {
        return views.get(0).inputShape();
    }

    @Override
    public List<String> classes() {
        return views.get(0).classes();
    }

    @Override
    public String name() {
        return views.stream().map(Classifier::name).collect(Collectors.joining(" and ", "{", "}"));
    }

    /**
     * @return what the views' pipelines are, e.g. {@code resize=32 and jpeg=75,resize=32} (a view that is not
     *     a {@link PipelineClassifier} is written {@code none})
     */
    public String spec() {
        return views.stream().map(v -> v instanceof PipelineClassifier p ? p.pipeline().spec() : "none")
                .collect(Collectors.joining(" and "));
    }

    /** Leaves the views open: the caller that made them closes them. */
    @Override
    public void close() {}
}
