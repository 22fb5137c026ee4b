package ai.preempt.server;

import ai.preempt.data.Image;
import java.util.List;

/**
 * One kind of work the {@link BatchQueue} batches: it turns a batch of images of one size into one result
 * per image, in order. Implementations do their tensor work on the engine's compute thread.
 *
 * @param <R> the result per image
 */
interface Operation<R> {

    /** @return a short name (metrics label) */
    String name();

    /** @return one result per image, in order */
    List<R> run(List<Image> images);
}
