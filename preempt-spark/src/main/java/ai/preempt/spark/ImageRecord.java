package ai.preempt.spark;

import ai.preempt.io.AtomicFiles;
import ai.preempt.model.ModelCard;
import ai.preempt.protect.Verdict;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * What the job knows about one input image, written as its per-image JSON record (the commit marker).
 *
 * @param hash SHA-256 of the input bytes, hex
 * @param path the input's path (the first one seen, if the same bytes occur twice)
 * @param status {@link #PROTECTED} or {@link #FAILED}
 * @param reason for a failed image: why (a {@link ai.preempt.data.DataException.Reason} name), else null
 * @param message for a failed image: one sentence, else null
 * @param verdict for a protected image: its verdict, else null
 */
public record ImageRecord(String hash, String path, String status, String reason, String message, Verdict verdict) {

    /** Status of an image that was protected. */
    public static final String PROTECTED = "protected";
    /** Status of an input that is not a usable image. */
    public static final String FAILED = "failed";

    /** @return whether this record says the image was protected */
    @JsonIgnore
    public boolean isProtected() {
        return PROTECTED.equals(status);
    }

    /** Writes the record atomically. */
    void write(Path file) {
        try {
            AtomicFiles.write(file, out -> ModelCard.JSON.writeValue(out, this));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the record in {@code file} */
    static ImageRecord read(Path file) {
        try {
            return ModelCard.JSON.readValue(file.toFile(), ImageRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
    }
}
