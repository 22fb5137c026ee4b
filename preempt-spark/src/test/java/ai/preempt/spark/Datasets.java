package ai.preempt.spark;

import ai.preempt.data.Cifar10;
import ai.preempt.data.ImageIo;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.model.Models;
import ai.preempt.protect.Verdict;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/** Test data sets for the Spark job: CIFAR-10 test images as a class-per-folder PNG tree, and bad inputs. */
final class Datasets {

    /** A cheap robustification (1 outer step against a 1-step inner attack) with a fixed seed. */
    static final RobustifyConfig CHEAP = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(1)
            .optInnerSteps(1).optSeed(7).build();

    private Datasets() {}

    /** Writes the first {@code n} CIFAR-10 test images as {@code dir/CLASS/cifar-INDEX.png}; returns the files. */
    static List<Path> cifarTree(Path dir, int n) throws IOException {
        LabeledImages test = Cifar10.load(TestData.cifarDir(), Split.TEST);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve(test.classes().get(test.label(i))).resolve(String.format("cifar-%05d.png", i));
            Files.createDirectories(f.getParent());
            ImageIo.writePng(f, test.image(i));
            files.add(f);
        }
        return files;
    }

    /** Writes a truncated PNG, a text file and a PNG whose header declares 50,000×50,000 pixels into {@code dir/bad}. */
    static void badInputs(Path dir, Path somePng) throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        byte[] png = Files.readAllBytes(somePng);
        Files.write(bad.resolve("truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.writeString(bad.resolve("notes.txt"), "not an image\n", StandardCharsets.UTF_8);
        Files.write(bad.resolve("huge.png"), hugeHeaderPng(50_000, 50_000));
    }

    /** @return a PNG signature, an IHDR chunk declaring w×h 8-bit RGB, and IEND: a header without pixels */
    static byte[] hugeHeaderPng(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static final java.util.Map<String, Protection.Result> SINGLE = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The single-machine path: read the file as {@code preempt robustify} does and protect it alone with the bundled
     * adv-linf model, {@link #CHEAP} and no check (memoised per file content, name and label: test classes share it).
     */
    static Protection.Result singleMachine(Path file, int trueLabel) throws IOException {
        String name = ProtectPartition.baseName(file.toString());
        String key = ProtectPartition.sha256(Files.readAllBytes(file)) + "/" + name + "/" + trueLabel;
        return SINGLE.computeIfAbsent(key, k -> new Protection(ModelHolder.get("adv-linf",
                Models.modelsDir().toString(), 0), CHEAP, false).protect(ImageIo.read(file), name, trueLabel));
    }

    /** @return the job's record of an input file */
    static ImageRecord recordOf(OutputLayout out, Path file) throws IOException {
        return ImageRecord.read(out.record(ProtectPartition.sha256(Files.readAllBytes(file))));
    }

    /** @return files under {@code dir} whose name starts with '.' and ends with ".tmp" (partial writes) */
    static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /** @return the rows of the job's Parquet verdict table, read in a session of its own (stopped afterwards) */
    static List<org.apache.spark.sql.Row> table(OutputLayout out) {
        org.apache.spark.sql.SparkSession spark = SparkProtectJob.session("local[1]");
        try {
            return spark.read().parquet(out.parquet().toString()).collectAsList();
        } finally {
            spark.stop();
        }
    }

    /** @return the verdict of a record, failing if it has none */
    static Verdict verdict(ImageRecord r) {
        if (r.verdict() == null) {
            throw new AssertionError("no verdict for " + r.path() + ": " + r.reason() + " " + r.message());
        }
        return r.verdict();
    }
}
