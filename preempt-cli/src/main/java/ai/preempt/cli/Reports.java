package ai.preempt.cli;

import ai.preempt.io.AtomicFiles;
import ai.preempt.model.ModelCard;
import java.io.IOException;
import java.nio.file.Path;

/** Writes JSON reports atomically. */
final class Reports {

    private Reports() {}

    static void writeJson(Path file, Object report) throws IOException {
        if (file == null) {
            return;
        }
        AtomicFiles.write(file, out -> ModelCard.JSON.writeValue(out, report));
        System.err.println("wrote " + file);
    }
}
