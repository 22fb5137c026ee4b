package ai.preempt.data;

/**
 * Data that cannot be used: a missing or malformed dataset, an unreadable image, a bad argument.
 * The message is one sentence for the user (the CLI prints it and exits with status 2).
 */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
