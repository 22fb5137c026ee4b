package ai.preempt.model;

import ai.djl.ndarray.NDArray;

/**
 * Wraps a classifier and counts the real forward calls made on it and the images they carry: how the fast mode's
 * exit check knows the passes its attack spent, and how a test sees a wasted or skipped pass. Not thread-safe
 * (all tensor work runs on the engine's one thread). (Backward passes cannot be told apart from here: DJL reports no gradient requirement
 * for an input computed from the differentiated tensor, only for that tensor itself.)
 */
public final class CountingClassifier extends DelegatingClassifier {
    private int calls;
    private long images;

    /** @param inner the classifier whose forward calls are counted */
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

    @Override
    public NDArray logits(NDArray x) {
        calls++;
        images += x.getShape().get(0);
        return inner().logits(x);
    }
}
