package ai.preempt.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import ai.preempt.io.AtomicFiles;
import ai.preempt.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Protects an image data set on Spark: list the inputs, spread them over partitions, protect each partition with
 * the executor's one shared model ({@link ProtectPartition}), then rebuild the verdict table from the committed
 * per-image records ({@link VerdictTable}) and write a summary. Idempotent and resumable; see {@link OutputLayout}.
 */
public final class SparkProtectJob {

    private SparkProtectJob() {}

    /**
     * Runs the job in a Spark session of its own, stopped afterwards.
     *
     * @param master the Spark master (e.g. {@code local[2]}), or null to take it from {@code spark-submit}
     *     ({@code spark.master}), falling back to {@code local[*]}
     */
    public static JobSummary run(String master, SparkJobConfig cfg) {
        SparkSession spark = session(master);
        try {
            return runIn(spark, cfg);
        } finally {
            spark.stop();
        }
    }

    /** @return a session for {@code master} (see {@link #run(String, SparkJobConfig)}) with the UI off */
    public static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("preempt-protect").config("spark.ui.enabled", "false");
        if (master != null) {
            b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b.master("local[*]");
        }
        String effective = master != null ? master : System.getProperty("spark.master", "local[*]");
        if (effective.startsWith("local")) {
            // a local job talks only to itself: keep its driver on loopback, not on the machine's network address
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        SparkSession spark = b.getOrCreate();
        if (master != null && !master.equals(spark.sparkContext().master())) {
            throw new IllegalStateException("this JVM already runs a Spark session with master "
                    + spark.sparkContext().master() + "; stop it before asking for " + master);
        }
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** Runs the job in the given session. */
    public static JobSummary runIn(SparkSession spark, SparkJobConfig cfg) {
        return finish(spark, cfg, protect(spark, cfg));
    }

    /**
     * The protect stage's outcome, persisted until {@link #finish} has built the table from it.
     *
     * @param done one (hash, path, reused) row per input
     * @param inputFiles input rows seen
     * @param reused inputs an earlier run had completed
     * @param startNanos when the job started ({@link System#nanoTime()})
     * @param seconds wall time of the stage
     */
    record Protected(Dataset<Row> done, long inputFiles, long reused, long startNanos, double seconds) {}

    /** The first stage: list the inputs, spread them over partitions, protect and commit each one. */
    static Protected protect(SparkSession spark, SparkJobConfig cfg) {
        OutputLayout out = new OutputLayout(cfg.output());
        try {
            Files.createDirectories(out.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output folder " + out.dir() + ": " + e.getMessage(), e);
        }
        out.deleteStaleTemporaries();
        long t0 = System.nanoTime();
        int partitions = cfg.partitions() > 0 ? cfg.partitions() : 4 * spark.sparkContext().defaultParallelism();
        Dataset<Row> done = InputFiles.read(spark, cfg).repartition(partitions, col("path"))
                .mapPartitions(new ProtectPartition(cfg, InputFiles.broadcastHadoopConf(spark)), Encoders.row(ProtectPartition.SCHEMA))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Row counts = done.agg(expr("count(*)"), sum(when(col("reused"), 1).otherwise(0))).first();
        long reused = counts.isNullAt(1) ? 0 : counts.getLong(1);
        return new Protected(done, counts.getLong(0), reused, t0, (System.nanoTime() - t0) / 1e9);
    }

    /** The rest: rebuild the verdict table from the committed records, write the summary. */
    static JobSummary finish(SparkSession spark, SparkJobConfig cfg, Protected p) {
        OutputLayout out = new OutputLayout(cfg.output());
        Dataset<Row> table = p.done().dropDuplicates("hash").mapPartitions(new VerdictTable(out),
                Encoders.row(VerdictTable.SCHEMA));
        writeTable(spark, table, out);
        p.done().unpersist();
        Dataset<Row> written = spark.read().schema(VerdictTable.SCHEMA).parquet(out.parquet().toString());
        double totalSeconds = (System.nanoTime() - p.startNanos()) / 1e9;
        JobSummary summary = summarise(written, p.inputFiles(), p.reused(), p.seconds(), totalSeconds, cfg.check());
        try {
            AtomicFiles.write(out.summary(), o -> ModelCard.JSON.writeValue(o, summary));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + out.summary() + ": " + e.getMessage(), e);
        }
        return summary;
    }

    /** Writes Parquet and JSON lines into a hidden folder, then swaps it in for the old table. */
    private static void writeTable(SparkSession spark, Dataset<Row> table, OutputLayout out) {
        Path staging = out.dir().resolve(".table-" + UUID.randomUUID());
        Path old = out.dir().resolve(".table-old-" + UUID.randomUUID());
        String parquet = staging.resolve(out.parquet().getFileName()).toString();
        table.write().parquet(parquet);
        spark.read().schema(VerdictTable.SCHEMA).parquet(parquet).coalesce(1).write()
                .json(staging.resolve(out.jsonLines().getFileName()).toString());
        try {
            if (Files.exists(out.table())) {
                Files.move(out.table(), old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, out.table(), StandardCopyOption.ATOMIC_MOVE);
            Trees.delete(old);
        } catch (IOException e) {
            throw new UncheckedIOException("could not put the verdict table in place: " + e.getMessage(), e);
        }
    }

    static JobSummary summarise(Dataset<Row> t, long inputFiles, long reused, double protectSeconds,
            double totalSeconds, boolean check) {
        Row r = t.agg(expr("count(*)"),
                sum(when(col("status").equalTo(ImageRecord.PROTECTED), 1).otherwise(0)),
                sum(when(expr("status = 'protected' AND true_label >= 0"), 1).otherwise(0)),
                sum(when(expr("true_label >= 0 AND label_before = true_label"), 1).otherwise(0)),
                sum(when(expr("true_label >= 0 AND attacked_original = true_label"), 1).otherwise(0)),
                sum(when(expr("true_label >= 0 AND label_after = true_label"), 1).otherwise(0)),
                sum(when(expr("true_label >= 0 AND attacked_protected = true_label"), 1).otherwise(0))).first();
        long images = r.getLong(0);
        long protectedImages = r.isNullAt(1) ? 0 : r.getLong(1);
        long labeled = r.isNullAt(2) ? 0 : r.getLong(2);
        Map<String, Double> accuracy = new LinkedHashMap<>();
        if (labeled > 0) {
            accuracy.put("clean_original", r.getLong(3) / (double) labeled);
            if (check) {
                accuracy.put("attacked_original", r.getLong(4) / (double) labeled);
            }
            accuracy.put("clean_protected", r.getLong(5) / (double) labeled);
            if (check) {
                accuracy.put("attacked_protected", r.getLong(6) / (double) labeled);
            }
        }
        Map<String, Long> byReason = new LinkedHashMap<>();
        for (Row g : t.filter(col("status").equalTo(ImageRecord.FAILED)).groupBy("reason").count().orderBy("reason")
                .collectAsList()) {
            byReason.put(g.getString(0), g.getLong(1));
        }
        long processed = inputFiles - reused;
        return new JobSummary(inputFiles, images, protectedImages, images - protectedImages, byReason, processed, reused,
                protectSeconds, totalSeconds, processed / Math.max(protectSeconds, 1e-9), labeled, accuracy);
    }

}
