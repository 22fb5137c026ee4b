package ai.preempt.io;

/**
 * Progress of a long job, reported by the library and shown by the caller (a progress bar in the CLI,
 * nothing in tests). Implementations must tolerate calls from the compute thread.
 */
public interface Progress {

    /** Reports nothing. */
    Progress NONE = new Progress() {
        @Override
        public void start(String task, long total) {}

        @Override
        public void advance(long n, String status) {}

        @Override
        public void finish() {}
    };

    /** Begins a task of {@code total} units (images, batches, …). */
    void start(String task, long total);

    /** Marks {@code n} more units done; {@code status} is a short text such as "loss 1.23" (may be null). */
    void advance(long n, String status);

    /** Ends the current task. */
    void finish();
}
