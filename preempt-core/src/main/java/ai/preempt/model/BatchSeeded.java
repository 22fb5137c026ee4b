package ai.preempt.model;

import ai.djl.ndarray.NDArray;

/**
 * A classifier with randomness of its own (such as the noise of a smoothed classifier) that can derive its
 * random stream from a batch's content, so a batch gets the same answer whatever ran before it: an
 * interrupted evaluation then resumes to exactly the report an uninterrupted one gives.
 */
public interface BatchSeeded {

    /** @return a view of this classifier whose random stream is derived from its seed and {@code batch} */
    Classifier seededFor(NDArray batch);

    /** @return {@code f} seeded for {@code batch} when it is {@link BatchSeeded}, else {@code f} itself */
    static Classifier seededFor(Classifier f, NDArray batch) {
        return f instanceof BatchSeeded b ? b.seededFor(batch) : f;
    }
}
