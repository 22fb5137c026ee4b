package ai.preempt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Wraps a classifier and counts forward passes (to prove that work was skipped). */
public final class CountingClassifier implements Classifier {
    private final Classifier inner;
    private int calls;

    public CountingClassifier(Classifier inner) {
        this.inner = inner;
    }

    public int calls() {
        return calls;
    }

    @Override
    public NDArray logits(NDArray images) {
        calls++;
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

    @Override
    public void close() {}
}
