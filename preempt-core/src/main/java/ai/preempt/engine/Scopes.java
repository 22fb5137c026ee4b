package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/** Runs a computation in its own {@link NDScope} and keeps only its result. */
public final class Scopes {

    private Scopes() {}

    /**
     * Evaluates {@code body} in a fresh scope: every intermediate array it creates is closed, the result
     * survives and joins the enclosing scope, if any. The body must return an array it created (not one of
     * its inputs), or the enclosing scope would close an array that belongs to someone else.
     */
    public static NDArray keep(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /** Evaluates {@code body} in a fresh scope and closes every array it created; for results held in Java. */
    public static <T> T keepAll(Supplier<T> body) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return body.get();
        }
    }
}
