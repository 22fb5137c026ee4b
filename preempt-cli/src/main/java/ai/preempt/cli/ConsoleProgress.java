package ai.preempt.cli;

import ai.preempt.io.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws progress on standard error: a live bar on a terminal; on a pipe or in CI, one plain line at most
 * every 15 seconds (and at the end), so logs stay readable.
 */
final class ConsoleProgress implements Progress {

    private ProgressBar bar;
    private String task;
    private long total;
    private long done;
    private long lastLine;
    private final long started = System.nanoTime();

    /** @return a progress reporter, or {@link Progress#NONE} with {@code --no-progress} */
    static Progress create() {
        return CommonOptions.quiet ? Progress.NONE : new ConsoleProgress();
    }

    @Override
    public synchronized void start(String taskName, long totalUnits) {
        finish();
        task = taskName;
        total = totalUnits;
        done = 0;
        lastLine = System.nanoTime();
        if (System.console() != null) {
            bar = ProgressBar.builder().setTaskName(taskName).setInitialMax(totalUnits)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(500).showSpeed().build();
        }
    }

    @Override
    public synchronized void advance(long n, String status) {
        done += n;
        if (bar != null) {
            bar.stepBy(n);
            if (status != null) {
                bar.setExtraMessage(" " + status);
            }
        } else if (System.nanoTime() - lastLine > 15_000_000_000L) {
            lastLine = System.nanoTime();
            System.err.printf("%s: %d/%d%s%n", task, done, total, status == null ? "" : " " + status);
        }
    }

    @Override
    public synchronized void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        } else if (task != null && done > 0) {
            System.err.printf("%s: %d/%d done (%.0f s)%n", task, done, total, (System.nanoTime() - started) / 1e9);
        }
        task = null;
    }
}
