package ai.preempt.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one place that configures DJL and PyTorch for Preempt, and the single compute thread.
 *
 * <p>Why one thread: DJL's PyTorch engine allows one open {@code GradientCollector} per JVM (a second
 * one, from any thread, throws), and PyTorch's grad mode is thread-local, so a worker that did not
 * switch it off would silently record autograd graphs. Preempt therefore runs every tensor
 * computation, with or without gradients, on one dedicated thread ({@link #call}); PyTorch still uses
 * all configured cores inside each operation (intra-op parallelism). Callers on other threads (the
 * HTTP server, the CLI) submit work and wait.
 *
 * <p>Settings: DJL runs offline (the PyTorch natives come from Maven jars, nothing is downloaded),
 * the TorchScript graph optimiser is off (our batch sizes vary, and it re-optimises for each new one),
 * and the intra-op thread count defaults to the cores not already busy when the engine starts
 * ({@link #defaultThreads}).
 */
public final class PreemptEngine {

    private static final String THREAD_NAME = "preempt-compute";
    private static volatile ExecutorService executor;
    /** The intra-op thread count; 0 until set or until the engine picks its default. */
    private static volatile int threads;
    private static volatile boolean started;

    static {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        System.setProperty("ai.djl.default_engine", "PyTorch");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    private PreemptEngine() {}

    /**
     * Sets the number of intra-op threads PyTorch uses. Must be called before the first computation;
     * later calls with a different value are rejected.
     *
     * @param n threads, at least 1
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + n);
        }
        if (started && n != threads) {
            throw new IllegalStateException("threads must be set before the engine starts");
        }
        threads = n;
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
    }

    /** @return the intra-op thread count: the one set, else the default the engine picks (and keeps) now */
    public static synchronized int threads() {
        if (threads == 0) {
            int cores = Runtime.getRuntime().availableProcessors();
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            threads = defaultThreads(cores, load);
            if (threads < cores) {
                System.err.printf(java.util.Locale.ROOT, "preempt: using %d of %d cores for tensor work: the machine is "
                        + "busy (load average %.1f); --threads %d overrides%n", threads, cores, load, cores);
            }
        }
        return threads;
    }

    /**
     * The default intra-op thread count: the cores not already busy, at least one. PyTorch's threads wait for
     * each other at the end of every operation by spinning, so a thread that shares its core with another busy
     * process stalls every operation: robustifying a photo with 2 threads on a 2-core machine whose other core
     * was busy took 405 s against 20 s with 1 thread (10 minutes against seconds for the README's first command).
     * On an idle machine this is every core.
     *
     * @param cores available processors
     * @param loadAverage the system's one-minute load average, negative when unknown (then every core)
     */
    static int defaultThreads(int cores, double loadAverage) {
        if (loadAverage < 0) {
            return cores;
        }
        return (int) Math.max(1, Math.min(cores, cores - Math.round(loadAverage)));
    }

    private static ExecutorService executor() {
        ExecutorService e = executor;
        if (e == null) {
            synchronized (PreemptEngine.class) {
                if (executor == null) {
                    int threads = threads();
                    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
                    executor = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, THREAD_NAME);
                        t.setDaemon(true);
                        return t;
                    });
                    started = true;
                    Future<?> init = executor.submit(() -> {
                        Engine.getEngine("PyTorch");
                        JniUtils.setNumThreads(threads);
                        JniUtils.setGradMode(false);
                    });
                    try {
                        init.get();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while starting PyTorch", ex);
                    } catch (ExecutionException ex) {
                        throw new IllegalStateException("could not start the PyTorch engine: "
                                + ex.getCause().getMessage(), ex.getCause());
                    }
                }
                e = executor;
            }
        }
        return e;
    }

    /**
     * @return CPU time the compute thread has used so far (ns): with one intra-op thread, all tensor work; unlike
     *     wall time, not inflated by other processes on a shared machine
     */
    public static long computeCpuNanos() {
        return call(() -> java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
    }

    /** @return true when the current thread is the compute thread */
    public static boolean onComputeThread() {
        return THREAD_NAME.equals(Thread.currentThread().getName());
    }

    /**
     * Runs {@code task} on the compute thread and returns its result; runs it directly when already there.
     * Exceptions thrown by the task are rethrown unchanged when unchecked.
     */
    public static <T> T call(Callable<T> task) {
        if (onComputeThread()) {
            try {
                return task.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new ComputeException(e);
            }
        }
        Future<T> f = executor().submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ComputeException(e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new ComputeException(c);
        }
    }

    /** Runs {@code task} on the compute thread. */
    public static void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** @return a new base manager on the PyTorch engine; the caller closes it */
    public static NDManager newManager() {
        return call(() -> Engine.getEngine("PyTorch").newBaseManager());
    }

    /** Seeds PyTorch's own generator (used only by training-time layers such as dropout). */
    public static void seedTorch(long seed) {
        run(() -> Engine.getEngine("PyTorch").setRandomSeed((int) (seed ^ (seed >>> 32))));
    }

    /** A checked exception thrown inside a compute task, rethrown unchecked. */
    public static final class ComputeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ComputeException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
