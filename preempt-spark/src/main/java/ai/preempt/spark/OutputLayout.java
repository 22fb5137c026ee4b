package ai.preempt.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where the job's outputs live, all keyed by the SHA-256 of the input bytes (sharded by its first two hex
 * digits so that no folder holds millions of files):
 * <pre>
 * OUT/images/ab/abcd….png      protected image (committed first)
 * OUT/verdicts/ab/abcd….json   its record: the commit marker (an image is complete once this exists)
 * OUT/table/verdicts.parquet   one row per image, rebuilt from the records at the end of every run
 * OUT/table/verdicts.jsonl     the same rows as JSON lines
 * OUT/summary.json             counts, accuracy before/after the check attack, timing
 * </pre>
 * Every file is written to a hidden temporary name in its folder and renamed into place.
 */
public record OutputLayout(String root) implements Serializable {

    /** @return the output folder */
    public Path dir() {
        return Path.of(root);
    }

    /** @return the protected PNG of the image with this content hash */
    public Path png(String hash) {
        return dir().resolve("images").resolve(hash.substring(0, 2)).resolve(hash + ".png");
    }

    /** @return the record (verdict or failure) of the image with this content hash */
    public Path record(String hash) {
        return dir().resolve("verdicts").resolve(hash.substring(0, 2)).resolve(hash + ".json");
    }

    /** @return the verdict table folder */
    public Path table() {
        return dir().resolve("table");
    }

    /** @return the Parquet verdict table */
    public Path parquet() {
        return table().resolve("verdicts.parquet");
    }

    /** @return the JSON-lines verdict table (a Spark folder with one part file) */
    public Path jsonLines() {
        return table().resolve("verdicts.jsonl");
    }

    /** @return the run summary */
    public Path summary() {
        return dir().resolve("summary.json");
    }

    /** @return every committed protected PNG */
    public Stream<Path> pngs() {
        return files(dir().resolve("images"), ".png");
    }

    /** @return every committed record */
    public Stream<Path> records() {
        return files(dir().resolve("verdicts"), ".json");
    }

    /** Deletes temporary files an interrupted run left (hidden {@code .NAME.RANDOM.tmp} files). */
    public void deleteStaleTemporaries() {
        try (Stream<Path> s = walk()) {
            for (Path p : (Iterable<Path>) s.filter(p -> p.getFileName().toString().startsWith(".")
                    && p.getFileName().toString().endsWith(".tmp"))::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Stream<Path> walk() throws IOException {
        return Files.isDirectory(dir()) ? Files.walk(dir()) : Stream.empty();
    }

    private static Stream<Path> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.isDirectory(dir) ? Files.walk(dir) : Stream.empty()) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
