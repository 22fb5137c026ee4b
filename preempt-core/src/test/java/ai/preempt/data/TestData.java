package ai.preempt.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Where the real CIFAR-10 data is for tests, and tiny synthetic CIFAR-10 batches. */
public final class TestData {

    private static final String REL = "shared/data/cifar-10-batches-bin";

    private TestData() {}

    /**
     * The real CIFAR-10 folder: {@code $PREEMPT_DATA} if set, else {@code /work/shared/data/...}, else
     * {@code shared/data/cifar-10-batches-bin} beside any ancestor of the working directory (covers
     * {@code ../../shared} from the module and {@code <repo root>/../shared} in CI).
     */
    public static Path cifarDir() {
        List<Path> tried = new ArrayList<>();
        String env = System.getenv("PREEMPT_DATA");
        if (env != null && !env.isBlank()) {
            tried.add(Path.of(env));
        }
        tried.add(Path.of("/work").resolve(REL));
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            tried.add(p.resolve(REL));
        }
        for (Path p : tried) {
            if (Files.isRegularFile(p.resolve("test_batch.bin"))) {
                return p;
            }
        }
        throw new IllegalStateException("CIFAR-10 test data not found; tried " + tried + "; set PREEMPT_DATA");
    }

    /** Writes a CIFAR-10 batch with the given labels and random pixels; returns the pixel bytes (CHW). */
    public static byte[] writeBatch(Path file, int[] labels, long seed) throws IOException {
        Random rnd = new Random(seed);
        byte[] pixels = new byte[labels.length * 3072];
        rnd.nextBytes(pixels);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < labels.length; i++) {
                out.write(labels[i]);
                out.write(pixels, i * 3072, 3072);
            }
        }
        return pixels;
    }

    /** Writes a complete tiny CIFAR-10 folder: every batch file with {@code perFile} records, labels i % 10. */
    public static void writeTinyCifar(Path dir, int perFile) throws IOException {
        Files.createDirectories(dir);
        int[] labels = new int[perFile];
        for (int i = 0; i < perFile; i++) {
            labels[i] = i % 10;
        }
        long seed = 0;
        for (Split s : Split.values()) {
            for (String name : s.fileNames()) {
                writeBatch(dir.resolve(name), labels, seed++);
            }
        }
        Files.writeString(dir.resolve(Cifar10.META_FILE),
                String.join("\n", ai.preempt.model.ModelCard.CIFAR_CLASSES) + "\n\n");
    }

    /**
     * Writes an h×w RGB PNG (creating its folder) whose pixels cycle upwards from {@code level}: a busy image of
     * any size, for tests that read photos.
     */
    public static void writePatternPng(Path file, int h, int w, float level) throws IOException {
        float[] chw = new float[3 * h * w];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (level + 0.5f * (i % 11) / 11f) % 1f;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIo.writePng(file, new Image(3, h, w, chw));
    }
}
