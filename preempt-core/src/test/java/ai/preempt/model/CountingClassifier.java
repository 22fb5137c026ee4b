package ai.preempt.model;

import ai.djl.ndarray.NDArray;

/**
 * Wraps a classifier and counts the real calls made on it, so a test sees a wasted or skipped pass: forward
 * calls, images forwarded, and gradient passes (forward calls on an input that requires a gradient, i.e.
 * inside {@link ai.preempt.engine.Gradients#of}, each followed by exactly one backward pass).
 */
public final class CountingClassifier extends DelegatingClassifier {
    private int calls;
    private long images;
    private int gradientCalls;
    private long gradientImages;

    public CountingClassifier(Classifier inner) {
        super(inner);
    }

    /** @return forward calls so far */
    public int calls() {
        return calls;
    }

    /** @return images forwarded so far (rows over all calls) */
    public long images() {
        return images;
    }

    /** @return forward calls that recorded a graph for a backward pass */
    public int gradientCalls() {
        return gradientCalls;
    }

    /** @return images forwarded in those calls */
    public long gradientImages() {
        return gradientImages;
    }

    @Override
    public NDArray logits(NDArray x) {
        long n = x.getShape().get(0);
        calls++;
        images += n;
        if (x.hasGradient()) {
            gradientCalls++;
            gradientImages += n;
        }
        return inner().logits(x);
    }
}
