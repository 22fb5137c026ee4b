package ai.preempt.server;

/**
 * A request the service answers with a 4xx or 5xx status and a one-line JSON error {@code {"error": "..."}};
 * the message is one sentence for the client, never a stack trace.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Long retryAfterSeconds;

    /**
     * @param status the HTTP status
     * @param message one sentence for the client
     */
    public ApiException(int status, String message) {
        this(status, message, null);
    }

    private ApiException(int status, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @return a 503 telling the client to retry after the given number of seconds */
    public static ApiException busy(String message, long retryAfterSeconds) {
        return new ApiException(503, message, retryAfterSeconds);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return seconds for a {@code Retry-After} header, or null */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
