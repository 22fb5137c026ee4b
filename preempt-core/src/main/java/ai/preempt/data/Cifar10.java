package ai.preempt.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads the CIFAR-10 binary version: each record is one label byte followed by 3072 pixel bytes
 * (1024 red, 1024 green, 1024 blue, each a row-major 32×32 plane), which is already CHW order. Class
 * names come from {@code batches.meta.txt} (one per line, blank lines ignored) or, without it, the
 * standard ten.
 */
public final class Cifar10 {

    /** Bytes per record: one label plus 3×32×32 pixels. */
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
    /** The class-name file. */
    public static final String META_FILE = "batches.meta.txt";

    /** CIFAR-10's class names, in label order. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private static final String HOW_TO_FIX = "pass --data DIR or set PREEMPT_DATA to a folder holding the "
            + "CIFAR-10 binary batches (cifar-10-batches-bin)";

    private Cifar10() {}

    /**
     * @param dir a {@code cifar-10-batches-bin} folder
     * @param split which split
     * @return the split's images in file order; {@link LabeledImages#index} is the position in the split
     * @throws DataException when the folder or a file is missing or malformed
     */
    public static LabeledImages load(Path dir, Split split) {
        List<String> classes = classNames(dir);
        long total = 0;
        for (String name : split.fileNames()) {
            total += checkedRecords(dir, name);
        }
        if (total * (RECORD_BYTES - 1) > Integer.MAX_VALUE - 8) {
            throw new DataException("CIFAR-10 split " + split + " in " + dir + " is too large to load ("
                    + total + " records)");
        }
        byte[] pixels = new byte[(int) total * (RECORD_BYTES - 1)];
        int[] labels = new int[(int) total];
        int n = 0;
        byte[] record = new byte[RECORD_BYTES];
        for (String name : split.fileNames()) {
            Path file = dir.resolve(name);
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                while (in.readNBytes(record, 0, RECORD_BYTES) == RECORD_BYTES) {
                    int label = record[0] & 0xFF;
                    if (label >= classes.size()) {
                        throw new DataException(file + " has label " + label + " in record " + (n + 1)
                                + " but there are only " + classes.size() + " classes");
                    }
                    labels[n] = label;
                    System.arraycopy(record, 1, pixels, n * (RECORD_BYTES - 1), RECORD_BYTES - 1);
                    n++;
                }
            } catch (IOException e) {
                throw new DataException("could not read " + file + ": " + e.getMessage(), e);
            }
        }
        if (n != total) {
            throw new DataException("CIFAR-10 files in " + dir + " changed while being read");
        }
        return LabeledImages.wrap(pixels, labels, classes, 3, 32, 32);
    }

    /** @return true when {@code dir} holds every batch file of both splits (sizes not checked) */
    public static boolean isComplete(Path dir) {
        return hasSplits(dir, Split.values());
    }

    /** @return true when {@code dir} holds every batch file of the given splits (sizes not checked) */
    public static boolean hasSplits(Path dir, Split... splits) {
        for (Split s : splits) {
            for (String name : s.fileNames()) {
                if (!Files.isRegularFile(dir.resolve(name))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return the class names in {@code dir}'s meta file, or the standard ten when it has none */
    public static List<String> classNames(Path dir) {
        requireDir(dir);
        Path meta = dir.resolve(META_FILE);
        if (!Files.isRegularFile(meta)) {
            return CLASSES;
        }
        try {
            List<String> names = Files.readAllLines(meta, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            return names.isEmpty() ? CLASSES : names;
        } catch (IOException e) {
            throw new DataException("could not read " + meta + ": " + e.getMessage(), e);
        }
    }

    /** Counts labels by reading only the label byte of each record. */
    static int[] labelCounts(Path dir, Split split, int numClasses) {
        int[] counts = new int[numClasses];
        ByteBuffer one = ByteBuffer.allocate(1);
        for (String name : split.fileNames()) {
            Path file = dir.resolve(name);
            long records = checkedRecords(dir, name);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                for (long r = 0; r < records; r++) {
                    one.clear();
                    if (ch.read(one, r * RECORD_BYTES) != 1) {
                        throw new DataException(file + " ended early at record " + (r + 1));
                    }
                    int label = one.get(0) & 0xFF;
                    if (label >= numClasses) {
                        throw new DataException(file + " has label " + label + " in record " + (r + 1)
                                + " but there are only " + numClasses + " classes");
                    }
                    counts[label]++;
                }
            } catch (IOException e) {
                throw new DataException("could not read " + file + ": " + e.getMessage(), e);
            }
        }
        return counts;
    }

    /** @return the record count of {@code dir/name} after checking it exists and has a valid size */
    static long checkedRecords(Path dir, String name) {
        requireDir(dir);
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new DataException("CIFAR-10 folder " + dir + " has no " + name + "; " + HOW_TO_FIX);
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DataException("could not read " + file + ": " + e.getMessage(), e);
        }
        if (size == 0 || size % RECORD_BYTES != 0) {
            throw new DataException(file + " is not a CIFAR-10 binary batch: " + size + " bytes is "
                    + (size == 0 ? "no records" : "not a multiple of " + RECORD_BYTES));
        }
        return size / RECORD_BYTES;
    }

    private static void requireDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("CIFAR-10 folder " + dir + " does not exist; " + HOW_TO_FIX);
        }
    }
}
