package ai.preempt.cli;

import ai.preempt.spark.JobSummary;
import ai.preempt.spark.SparkJobConfig;
import ai.preempt.spark.SparkProtectJob;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt spark}: protect an image data set on Apache Spark. */
@Command(name = "spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Protect an image data set on Apache Spark: one model per executor JVM, one PNG and one verdict "
                + "per image keyed by the SHA-256 of its bytes, a verdict table (Parquet and JSON lines) and a summary.",
            "Resumable and idempotent: a re-run skips every image whose verdict is committed. Each image is "
                    + "robustified alone, so its PNG equals 'preempt robustify --batch 1' with the same options.",
            "Needs Spark on the class path: ./preempt adds it for this command; on a cluster run it with spark-submit "
                    + "(see the README)."})
final class SparkCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin RobustifyOptions robustifyOptions;
    @Mixin SparkOptions sparkOptions;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2] or spark://host:7077 (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (shared by all executors).")
    String out;

    @Override
    public Integer call() {
        SparkJobConfig cfg = sparkOptions.config(modelOption, robustifyOptions, out);
        JobSummary s = SparkOptions.withSpark(() -> SparkProtectJob.run(master, cfg));
        System.out.printf(Locale.ROOT, "%d inputs, %d images: %d protected, %d failed %s; %d processed now, %d were "
                + "complete; %.1f s (%.2f images/s)%n", s.inputFiles(), s.images(), s.protectedImages(), s.failed(),
                s.failedByReason(), s.processed(), s.reused(), s.totalSeconds(), s.imagesPerSecond());
        for (Map.Entry<String, Double> e : s.accuracy().entrySet()) {
            System.out.printf(Locale.ROOT, "  accuracy %-20s %5.1f%% of %d labeled images%n", e.getKey(),
                    100 * e.getValue(), s.labeled());
        }
        System.out.println("outputs: " + out + "/images, " + out + "/verdicts, " + out + "/table, " + out + "/summary.json");
        return 0;
    }
}
