package ai.preempt.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a CIFAR-10 folder holds: the class names and, per split present, the image count per class.
 * Counting reads only the label bytes, so it is quick even for the training split.
 *
 * @param dir the folder
 * @param classes class names
 * @param splits the splits whose files are all present
 */
public record DataInfo(Path dir, List<String> classes, List<SplitInfo> splits) {

    /**
     * @param split which split
     * @param perClass image count per label
     */
    public record SplitInfo(Split split, int[] perClass) {
        /** @return the total image count */
        public int size() {
            int n = 0;
            for (int c : perClass) {
                n += c;
            }
            return n;
        }
    }

    public DataInfo {
        classes = List.copyOf(classes);
        splits = List.copyOf(splits);
    }

    /**
     * @param dir a {@code cifar-10-batches-bin} folder
     * @throws DataException when the folder is missing, holds no complete split, or a file is malformed
     */
    public static DataInfo of(Path dir) {
        List<String> classes = Cifar10.classNames(dir);
        List<SplitInfo> splits = new ArrayList<>();
        for (Split s : Split.values()) {
            boolean present = s.fileNames().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
            if (present) {
                splits.add(new SplitInfo(s, Cifar10.labelCounts(dir, s, classes.size())));
            }
        }
        if (splits.isEmpty()) { // reports the first missing file with the --data advice
            Cifar10.checkedRecords(dir, Split.TEST.fileNames().get(0));
        }
        return new DataInfo(dir, classes, splits);
    }

    /** @return a plain-text table: one row per class, one column per split, and a total row */
    public String describe() {
        StringBuilder sb = new StringBuilder("CIFAR-10 data in ").append(dir).append('\n');
        int width = Math.max("total".length(), classes.stream().mapToInt(String::length).max().orElse(0));
        sb.append(String.format("%-" + width + "s", "class"));
        for (SplitInfo s : splits) {
            sb.append(String.format("  %8s", s.split().name().toLowerCase(java.util.Locale.ROOT)));
        }
        sb.append('\n');
        for (int k = 0; k < classes.size(); k++) {
            sb.append(String.format("%-" + width + "s", classes.get(k)));
            for (SplitInfo s : splits) {
                sb.append(String.format("  %8d", s.perClass()[k]));
            }
            sb.append('\n');
        }
        sb.append(String.format("%-" + width + "s", "total"));
        for (SplitInfo s : splits) {
            sb.append(String.format("  %8d", s.size()));
        }
        return sb.append('\n').toString();
    }

    /** @return {@code of(dir).describe()} */
    public static String describe(Path dir) {
        return of(dir).describe();
    }
}
