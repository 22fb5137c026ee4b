package ai.preempt.engine;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;

/** Helpers for inspecting NDManager trees (used by leak tests and benchmarks). */
public final class NDManagers {

    private NDManagers() {}

    /** @return the number of NDArrays still open in {@code m} and all its sub-managers */
    public static int countArrays(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }
}
