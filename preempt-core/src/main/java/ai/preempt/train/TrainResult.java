package ai.preempt.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a training run.
 *
 * @param modelDir where the chosen model (best on validation, or last) and its card were written
 * @param bestEpoch the epoch whose weights were kept (1-based)
 * @param history one map of figures per finished epoch, as in the JSON-lines log
 * @param wallSeconds training time of this process plus that of earlier, resumed-from processes
 * @param imagesPerSecond training throughput over the run
 */
public record TrainResult(Path modelDir, int bestEpoch, List<Map<String, Object>> history, double wallSeconds,
        double imagesPerSecond) {}
