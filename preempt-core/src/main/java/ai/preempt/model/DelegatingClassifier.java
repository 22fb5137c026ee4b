package ai.preempt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A classifier that wraps another: every method forwards to the wrapped classifier until a subclass overrides
 * it. {@link #predict} is not forwarded: it stays {@code logits(images).argMax(1)} through this wrapper, so a
 * subclass that changes {@link #logits} changes the prediction too. The wrapped classifier belongs to the
 * caller; {@link #close} does nothing.
 */
public abstract class DelegatingClassifier implements Classifier {
    private final Classifier inner;

    /** @param inner the wrapped classifier (not owned) */
    protected DelegatingClassifier(Classifier inner) {
        if (inner == null) {
            throw new IllegalArgumentException("the wrapped classifier is null");
        }
        this.inner = inner;
    }

    /** @return the wrapped classifier */
    public Classifier inner() {
        return inner;
    }

    @Override
    public NDArray logits(NDArray images) {
        return inner.logits(images);
    }

    @Override
    public int numClasses() {
        return inner.numClasses();
    }

    @Override
    public Shape inputShape() {
        return inner.inputShape();
    }

    @Override
    public List<String> classes() {
        return inner.classes();
    }

    @Override
    public String name() {
        return inner.name();
    }

    /** Does nothing: the wrapped classifier belongs to the caller. */
    @Override
    public void close() {}
}
