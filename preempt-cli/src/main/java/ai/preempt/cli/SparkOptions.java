package ai.preempt.cli;

import ai.preempt.model.Models;
import ai.preempt.spark.SparkJobConfig;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The data-set options of the Spark commands. */
final class SparkOptions {

    @Option(names = "--input", paramLabel = "PATH",
            description = "A folder tree of images (class-per-folder names give labels) or, with --format parquet, "
                    + "Parquet rows (path string, content binary). Any Hadoop path (file:, hdfs:, s3a:).")
    String input;

    @Option(names = "--format", defaultValue = "files", description = "files or parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Spark partitions (default: 4 per core of the cluster).")
    int partitions;

    @Mixin ImageLimitOptions imageLimits;

    @Option(names = "--executor-threads", defaultValue = "0", paramLabel = "N",
            description = "PyTorch threads per executor JVM (default: the cores it sees that are not busy when it starts; "
            + "match spark.executor.cores).")
    int executorThreads;

    @Mixin CheckOption checkOption;

    /** Runs {@code job}, turning a missing Spark into a one-sentence error. */
    static <T> T withSpark(java.util.function.Supplier<T> job) {
        try {
            return job.get();
        } catch (NoClassDefFoundError e) {
            if (e.getMessage() != null && e.getMessage().contains("org/apache/spark")) {
                throw new IllegalStateException("Apache Spark is not on the class path: run this command through "
                        + "./preempt (which adds it) or spark-submit", e);
            }
            throw e;
        }
    }

    SparkJobConfig config(ModelOption model, RobustifyOptions robustify, String out) {
        SparkJobConfig.Format f = switch (format.toLowerCase(Locale.ROOT)) {
            case "files" -> SparkJobConfig.Format.FILES;
            case "parquet" -> SparkJobConfig.Format.PARQUET;
            default -> throw new IllegalArgumentException("--format must be files or parquet, got " + format);
        };
        if (input == null) {
            throw new IllegalArgumentException("--input is required");
        }
        if (!input.contains(":") && !java.nio.file.Files.exists(java.nio.file.Path.of(input))) {
            throw new IllegalArgumentException("--input " + input + " does not exist");
        }
        return SparkJobConfig.builder().setInput(input).setOutput(out).setRobustify(robustify.config()).optFormat(f)
                .optModel(model.model).optModelsDir(Models.modelsDir().toAbsolutePath().toString()).optCheck(checkOption.check())
                .optPartitions(partitions).optMaxPixels(imageLimits.limits().maxPixels())
                .optMaxBytes(imageLimits.limits().maxBytes()).optThreads(executorThreads).build();
    }
}
