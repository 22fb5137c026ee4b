package ai.preempt.eval;

import ai.preempt.io.AtomicFiles;
import ai.preempt.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading and atomically writing the JSON state files that make long evaluations resumable. */
final class StateFiles {

    private StateFiles() {}

    /**
     * @return the state saved in {@code file}, or null when there is no such file (or {@code file} is null)
     * @throws IllegalArgumentException when the file cannot be read as a {@code type}
     */
    static <T> T read(Path file, Class<T> type) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            return ModelCard.JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the state file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code state} as JSON, atomically; does nothing when {@code file} is null. */
    static void save(Path file, Object state) {
        if (file == null) {
            return;
        }
        try {
            AtomicFiles.write(file, out -> ModelCard.JSON.writeValue(out, state));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state file " + file, e);
        }
    }
}
