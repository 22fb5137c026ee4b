package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/** Runs a computation in its own {@link NDScope} and keeps only its result. */
public final class Scopes {

    private Scopes() {}

    /**
     * Evaluates {@code body} in a fresh scope: every intermediate array it creates is closed, the result
     * survives and joins the enclosing scope, if any.
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
}
