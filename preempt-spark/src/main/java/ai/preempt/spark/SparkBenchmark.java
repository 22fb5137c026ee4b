package ai.preempt.spark;

import ai.preempt.bench.PipelineBenchmark;
import ai.preempt.data.ImageIo;
import ai.preempt.io.AtomicFiles;
import ai.preempt.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Times the protect job against the single-machine path on the same images: images per second at each Spark master
 * (e.g. {@code local[1]}, {@code local[2]}) and the per-image cost at each against protecting the images one by one
 * in this JVM exactly as {@code preempt robustify --batch 1} does (read, protect, write PNG and verdict).
 *
 * <p>Each path first runs once over all the images untimed (the model, the JIT compiling the code each path runs,
 * Spark's class loading and code generation), and each Spark session then re-runs that finished job a few times
 * (cheap: nothing left to protect), so that the timed passes measure steady work, as in a long job. In a fresh JVM
 * the first Spark jobs are markedly slower (measured: +30 % per image on 40 small images) while the JIT compiles
 * Spark's scheduling, serialisation and planning code; that is a cost per executor JVM, not per image.
 * Each timed pass reports wall time and the process's CPU time per image (all threads: less sensitive to what else
 * runs on the machine than wall time). Each master then re-runs the finished job, which protects nothing: its
 * protect stage is the job's cost besides protecting (listing, the path shuffle, scheduling, reading and hashing
 * each input to find it complete, the final count).
 */
public final class SparkBenchmark {

    /**
     * One timed pass.
     *
     * @param images images processed
     * @param seconds wall time
     * @param cpuSeconds CPU time of the whole process (every thread: compute, Spark's, JIT, GC)
     */
    public record Pass(int images, double seconds, double cpuSeconds) {

        /** @return wall seconds per image */
        public double secondsPerImage() {
            return seconds / images;
        }

        /** @return CPU seconds per image */
        public double cpuPerImage() {
            return cpuSeconds / images;
        }
    }

    /**
     * One Spark master.
     *
     * @param master the master
     * @param startSeconds session start-up
     * @param summary the timed job's summary (its protect stage and total wall times)
     * @param protect the timed job's protect stage
     * @param rerun the protect stage of the same job run again, every image complete (nothing protected)
     * @param overhead protect-stage seconds per image / the single-machine seconds per image − 1
     * @param cpuOverhead the same for CPU seconds per image
     * @param protectOnlyOverhead (protect − rerun) seconds per image / the single-machine seconds per image − 1:
     *     the overhead with the job's cost besides protecting taken out
     */
    public record SparkRun(String master, double startSeconds, JobSummary summary, Pass protect, Pass rerun,
            double overhead, double cpuOverhead, double protectOnlyOverhead) {}

    /**
     * @param images images timed
     * @param singleBefore the single-machine pass before the Spark runs
     * @param singleAfter the single-machine pass after them
     * @param singleSecondsPerImage the mean of the two passes' seconds per image: the reference
     * @param singleCpuPerImage the mean of the two passes' CPU seconds per image
     * @param runs one entry per master, in order
     * @param scaling images/s of the last master over the first
     */
    public record Result(int images, Pass singleBefore, Pass singleAfter, double singleSecondsPerImage,
            double singleCpuPerImage, List<SparkRun> runs, double scaling) {}

    private SparkBenchmark() {}

    /**
     * @param cfg the job's configuration; its input must be a folder of image files, its output a scratch folder
     *     (emptied before each run)
     * @param masters Spark masters to time, in order
     * @param warmUpReruns re-runs of the finished warm-up job per master before timing (they protect nothing, but
     *     let the JIT compile Spark's per-job code, which the first jobs of a fresh JVM run interpreted)
     */
    public static Result run(SparkJobConfig cfg, List<String> masters, int warmUpReruns) {
        if (warmUpReruns < 0) {
            throw new IllegalArgumentException("--warm-up-reruns must be at least 0, got " + warmUpReruns);
        }
        List<Path> files = imageFiles(Path.of(cfg.input()));
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files under " + cfg.input());
        }
        Path scratch = Path.of(cfg.output());
        Protection protection = new Protection(ModelHolder.get(cfg), cfg.robustify(), cfg.check());
        singleMachine(protection, files, scratch.resolve("single"));
        Pass before = singleMachine(protection, files, scratch.resolve("single"));

        List<SparkRun> runs = new ArrayList<>();
        for (String master : masters) {
            SparkJobConfig job = cfg.toBuilder().setOutput(scratch.resolve("spark").toString()).build();
            long s0 = System.nanoTime();
            SparkSession spark = SparkProtectJob.session(master);
            double start = (System.nanoTime() - s0) / 1e9;
            try {
                clear(Path.of(job.output()));
                sparkJob(spark, job);
                for (int i = 0; i < warmUpReruns; i++) {
                    sparkJob(spark, job);
                }
                clear(Path.of(job.output()));
                Timed timed = sparkJob(spark, job);
                Pass rerun = sparkJob(spark, job).protect();
                runs.add(new SparkRun(master, start, timed.summary(), timed.protect(),
                        new Pass(files.size(), rerun.seconds(), rerun.cpuSeconds()), 0, 0, 0));
            } finally {
                spark.stop();
            }
        }
        // the single-machine pass runs before and after the Spark runs; their mean is the reference, so that a drift
        // in the machine's load during the benchmark falls on both sides alike
        Pass after = singleMachine(protection, files, scratch.resolve("single"));
        double single = (before.secondsPerImage() + after.secondsPerImage()) / 2;
        double singleCpu = (before.cpuPerImage() + after.cpuPerImage()) / 2;
        runs.replaceAll(r -> new SparkRun(r.master(), r.startSeconds(), r.summary(), r.protect(), r.rerun(),
                r.protect().secondsPerImage() / single - 1, r.protect().cpuPerImage() / singleCpu - 1,
                (r.protect().secondsPerImage() - r.rerun().secondsPerImage()) / single - 1));
        double scaling = runs.get(runs.size() - 1).summary().imagesPerSecond() / runs.get(0).summary().imagesPerSecond();
        return new Result(files.size(), before, after, single, singleCpu, runs, scaling);
    }

    private record Timed(JobSummary summary, Pass protect) {}

    /** Runs the job, timing its protect stage (its pass counts the images it protected). */
    private static Timed sparkJob(SparkSession spark, SparkJobConfig cfg) {
        long c0 = PipelineBenchmark.cpuNanos();
        SparkProtectJob.Protected p = SparkProtectJob.protect(spark, cfg);
        double cpu = (PipelineBenchmark.cpuNanos() - c0) / 1e9;
        JobSummary s = SparkProtectJob.finish(spark, cfg, p);
        return new Timed(s, new Pass((int) s.processed(), s.protectSeconds(), cpu));
    }

    /** @return the pass protecting {@code files} one by one as {@code preempt robustify --batch 1} does */
    private static Pass singleMachine(Protection protection, List<Path> files, Path out) {
        clear(out);
        long c0 = PipelineBenchmark.cpuNanos();
        long t0 = System.nanoTime();
        for (Path f : files) {
            Protection.Result r = protection.protect(ImageIo.read(f), ProtectPartition.baseName(f.toString()), -1);
            write(out.resolve(f.getFileName() + ".png"), o -> o.write(r.png()));
            write(out.resolve(f.getFileName() + ".json"), o -> ModelCard.JSON.writeValue(o, r.verdict()));
        }
        return new Pass(files.size(), (System.nanoTime() - t0) / 1e9, (PipelineBenchmark.cpuNanos() - c0) / 1e9);
    }

    /** @return the figures as a JSON-ready map */
    public static Map<String, Object> toMap(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", r.images());
        m.put("single_seconds_per_image", r.singleSecondsPerImage());
        m.put("single_cpu_seconds_per_image", r.singleCpuPerImage());
        m.put("single_before", r.singleBefore());
        m.put("single_after", r.singleAfter());
        m.put("runs", r.runs());
        m.put("scaling", r.scaling());
        return m;
    }

    private static List<Path> imageFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(ai.preempt.data.ImageFolder::isImageFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, AtomicFiles.Writer w) {
        try {
            AtomicFiles.write(file, w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void clear(Path dir) {
        try {
            Trees.delete(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }
}
