package ai.preempt.spark;

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

/**
 * Times the protect job against the single-machine path on the same images: images per second at each Spark master
 * (e.g. {@code local[1]}, {@code local[2]}) and the per-image cost at each against protecting the images one by one
 * in this JVM exactly as {@code preempt robustify --batch 1} does (read, protect, write PNG and verdict). The model
 * is loaded and warmed up on one image before any timing; Spark's session start-up is timed on its own, and each
 * session first runs the job once on a one-image copy of the data (class loading, code generation), untimed.
 */
public final class SparkBenchmark {

    /**
     * One Spark run.
     *
     * @param master the master
     * @param startSeconds session start-up
     * @param summary the job's summary (its protect stage and total wall times)
     * @param secondsPerImage protect stage seconds per image
     * @param overhead secondsPerImage / the single-machine seconds per image − 1
     */
    public record SparkRun(String master, double startSeconds, JobSummary summary, double secondsPerImage,
            double overhead) {}

    /**
     * @param images images timed
     * @param singleSecondsPerImage the single-machine path's seconds per image: the mean of a pass before and a pass
     *     after the Spark runs
     * @param singleBefore seconds per image of the pass before
     * @param singleAfter seconds per image of the pass after
     * @param runs one entry per master, in order
     * @param scaling images/s of the last master over the first
     */
    public record Result(int images, double singleSecondsPerImage, double singleBefore, double singleAfter,
            List<SparkRun> runs, double scaling) {}

    private SparkBenchmark() {}

    /**
     * @param cfg the job's configuration; its input must be a folder of image files, its output a scratch folder
     *     (emptied before each run)
     * @param masters Spark masters to time, in order
     */
    public static Result run(SparkJobConfig cfg, List<String> masters) {
        List<Path> files = imageFiles(Path.of(cfg.input()));
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files under " + cfg.input());
        }
        Path scratch = Path.of(cfg.output());
        Protection protection = new Protection(ModelHolder.get(cfg), cfg.robustify(), cfg.check());
        protection.protect(ImageIo.read(files.get(0)), "warm-up", -1);

        Path warmUp = scratch.resolve("warm-up-input");
        clear(warmUp);
        try {
            java.nio.file.Files.copy(files.get(0), warmUp.resolve(files.get(0).getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double singleBefore = singleMachine(protection, files, scratch.resolve("single"));

        List<SparkRun> runs = new ArrayList<>();
        // overhead is filled in once the second single-machine pass is done
        for (String master : masters) {
            Path out = scratch.resolve("spark-" + master.replaceAll("[^A-Za-z0-9]+", "_"));
            clear(out);
            SparkJobConfig runCfg = cfg.toBuilder().setOutput(out.toString()).build();
            long s0 = System.nanoTime();
            var spark = SparkProtectJob.session(master);
            double start = (System.nanoTime() - s0) / 1e9;
            try {
                Path warmOut = scratch.resolve("warm-up-out");
                clear(warmOut);
                SparkProtectJob.runIn(spark, cfg.toBuilder().setInput(warmUp.toString()).setOutput(warmOut.toString())
                        .build());
                JobSummary s = SparkProtectJob.runIn(spark, runCfg);
                double perImage = s.protectSeconds() / Math.max(1, s.processed());
                runs.add(new SparkRun(master, start, s, perImage, 0));
            } finally {
                spark.stop();
            }
        }
        // the single-machine pass runs before and after the Spark runs; their mean is the reference, so that a drift
        // in the machine's load during the benchmark falls on both sides alike
        double singleAfter = singleMachine(protection, files, scratch.resolve("single"));
        double singlePerImage = (singleBefore + singleAfter) / 2;
        runs.replaceAll(r -> new SparkRun(r.master(), r.startSeconds(), r.summary(), r.secondsPerImage(),
                r.secondsPerImage() / singlePerImage - 1));
        double scaling = runs.get(runs.size() - 1).summary().imagesPerSecond() / runs.get(0).summary().imagesPerSecond();
        return new Result(files.size(), singlePerImage, singleBefore, singleAfter, runs, scaling);
    }

    /** @return seconds per image protecting {@code files} one by one as {@code preempt robustify --batch 1} does */
    private static double singleMachine(Protection protection, List<Path> files, Path out) {
        clear(out);
        long t0 = System.nanoTime();
        for (Path f : files) {
            Protection.Result r = protection.protect(ImageIo.read(f), ProtectPartition.baseName(f.toString()), -1);
            write(out.resolve(f.getFileName() + ".png"), o -> o.write(r.png()));
            write(out.resolve(f.getFileName() + ".json"), o -> ModelCard.JSON.writeValue(o, r.verdict()));
        }
        return (System.nanoTime() - t0) / 1e9 / files.size();
    }

    /** @return the figures as a JSON-ready map */
    public static Map<String, Object> toMap(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", r.images());
        m.put("single_seconds_per_image", r.singleSecondsPerImage());
        m.put("single_seconds_per_image_before_after", List.of(r.singleBefore(), r.singleAfter()));
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
