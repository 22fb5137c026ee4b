package ai.preempt.server;

import ai.preempt.data.Image;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Operation} the {@link BatchQueue} runs as a continuous batch: a session per image size, into which
 * images join between steps and out of which each leaves as soon as it is done, while the others go on.
 *
 * @param <R> the result per image
 */
interface StreamingOperation<R> extends Operation<R> {

    /** @return a new, empty session for images of the size of {@code like} */
    Session<R> open(Image like);

    /** A running batch of images of one size. Used by one thread at a time. */
    interface Session<R> extends AutoCloseable {

        /** Adds images (of the session's size); @return one id per image, in order */
        long[] admit(List<Image> images);

        /** Advances every image by one step; @return the images done in this step, by id */
        Map<Long, R> step();

        /** Drops an image that is no longer wanted. */
        void drop(long id);

        /** @return images in the session */
        int size();

        /**
         * @return images still being computed, which count against the batch size; the rest of {@link #size} are
         *     done and wait for their answer (e.g. a verdict judged with others)
         */
        default int computing() {
            return size();
        }

        /**
         * @return nanoseconds spent so far inside {@link #step} finishing done images (e.g. judging them), as
         *     opposed to advancing them; 0 where a session does not tell them apart
         */
        default long finishNanos() {
            return 0;
        }

        @Override
        void close();
    }

    /** A whole batch through one session: every image admitted at once, steps until all are done. */
    @Override
    default List<R> run(List<Image> images) {
        try (Session<R> s = open(images.get(0))) {
            long[] ids = s.admit(images);
            Map<Long, R> done = new HashMap<>();
            while (s.size() > 0) {
                done.putAll(s.step());
            }
            List<R> out = new ArrayList<>(ids.length);
            for (long id : ids) {
                out.add(done.get(id));
            }
            return out;
        }
    }
}
