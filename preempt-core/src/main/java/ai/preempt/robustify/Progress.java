package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;

/**
 * One image's own progress through the outer loop: its id in the stream, its outer step t (how many steps it
 * has taken, whatever the others have), its passes and robust loss so far, its exit-check back-off, and its
 * exit point once a check has let it out.
 */
final class Progress {

    final long id;
    final CheckSchedule schedule;
    /** Outer steps taken. */
    int t;
    long passes;
    float loss;
    /** The 8-bit exit point (1×C×H×W) once the image has passed an exit check; null before. */
    NDArray exit;

    /**
     * @param id the image's id in its stream
     * @param checkEvery outer steps between exit checks (fast modes; any positive number otherwise)
     * @param passes passes already spent (e.g. a warm start)
     */
    Progress(long id, int checkEvery, long passes) {
        this.id = id;
        this.schedule = new CheckSchedule(checkEvery);
        this.passes = passes;
    }

    /**
     * Per-image back-off of the fast modes' checks: an image that failed a check waits 2, then 4 check periods
     * (at most) before it is checked again, so an image hovering at the threshold does not pay for a futile
     * attack at every period.
     */
    static final class CheckSchedule {
        private final int period;
        private int failures;
        private int notBefore;

        CheckSchedule(int period) {
            this.period = period;
        }

        /** @return whether the image may be checked after its outer step {@code t} */
        boolean due(int t) {
            return t >= notBefore;
        }

        /** Records a failed check after the image's outer step {@code t}. */
        void failed(int t) {
            failures++;
            notBefore = t + period * (1 << Math.min(failures, 2));
        }
    }
}
