package ai.preempt.spark;

import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;

/**
 * One classifier per executor JVM: loaded by the first task that needs it, then shared by every later task and
 * partition in that JVM (tensor work is serialised on core's compute thread anyway). Never closed; it lives as
 * long as the executor.
 */
final class ModelHolder {

    private static final Map<String, Classifier> MODELS = new ConcurrentHashMap<>();

    private ModelHolder() {}

    /**
     * @param spec a bundled model name, a model directory or a TorchScript file; a path that does not exist on
     *     this machine is looked up among the files shipped with {@code spark-submit --files}
     * @param modelsDir the bundled models folder, or null for core's default
     * @param threads PyTorch intra-op threads for this JVM, or 0 to leave the default
     */
    static Classifier get(String spec, String modelsDir, int threads) {
        if (threads > 0) {
            PreemptEngine.setThreads(threads); // rejected only when the engine already runs with another count
        }
        return MODELS.computeIfAbsent(spec + "\u0000" + modelsDir, k -> load(spec, modelsDir));
    }

    /** @return the executor's classifier for a job's configuration */
    static Classifier get(SparkJobConfig cfg) {
        return get(cfg.model(), cfg.modelsDir(), cfg.threads());
    }

    private static Classifier load(String spec, String modelsDir) {
        // executors may not have the driver's -D flags: DJL must take its natives from the pytorch-native-cpu jar
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        if (modelsDir != null && System.getProperty(Models.MODELS_PROPERTY) == null) {
            System.setProperty(Models.MODELS_PROPERTY, modelsDir);
        }
        Path p = Path.of(spec);
        if (!Files.exists(p) && p.getFileName() != null && !p.getFileName().toString().isEmpty()) {
            Path shipped = shipped(p.getFileName().toString());
            if (shipped != null && Files.exists(shipped)) {
                return Models.load(shipped.toString());
            }
        }
        return Models.load(spec);
    }

    private static Path shipped(String fileName) {
        try {
            return Path.of(SparkFiles.get(fileName));
        } catch (RuntimeException e) {
            return null; // no SparkContext in this JVM (e.g. the single-machine benchmark path)
        }
    }
}
