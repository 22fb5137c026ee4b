package ai.preempt.data;

/**
 * Data that cannot be used: a missing or malformed dataset, an unreadable image, a bad argument.
 * The message is one sentence for the user (the CLI prints it and exits with status 2); {@link #reason()}
 * says why in a form a program can act on (the HTTP service maps it to a status code).
 */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the data was refused. */
    public enum Reason {
        /** The file or upload has more bytes than {@link ImageLimits#maxBytes()} allows. */
        TOO_LARGE_BYTES,
        /** The image header declares more pixels than {@link ImageLimits#maxPixels()} allows. */
        TOO_MANY_PIXELS,
        /** The bytes are a readable image of a format that is not allowed (GIF, TIFF, CMYK JPEG, ...). */
        UNSUPPORTED_FORMAT,
        /** The bytes are empty, truncated or not an image at all. */
        CORRUPT,
        /** The file is missing or cannot be read (permissions, disk errors). */
        IO,
        /** Any other unusable data or argument: a malformed dataset, an out-of-range request. */
        INVALID
    }

    private final Reason reason;

    /** A refusal for {@link Reason#INVALID}. */
    public DataException(String message) {
        this(Reason.INVALID, message, null);
    }

    /** A refusal for {@link Reason#INVALID} with its cause. */
    public DataException(String message, Throwable cause) {
        this(Reason.INVALID, message, cause);
    }

    /** A refusal for {@code reason}. */
    public DataException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** A refusal for {@code reason} with its cause. */
    public DataException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        if (reason == null) {
            throw new IllegalArgumentException("reason must not be null");
        }
        this.reason = reason;
    }

    /** @return why the data was refused */
    public Reason reason() {
        return reason;
    }
}
