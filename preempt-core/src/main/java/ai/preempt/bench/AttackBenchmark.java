package ai.preempt.bench;

import ai.djl.ndarray.NDArray;
import ai.preempt.attack.ApgdCe;
import ai.preempt.attack.Attack;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.threat.ThreatModel;

/**
 * Throughput of the iterative attacks on one batch: APGD-CE against PGD with the same number of
 * iterations (each one forward and backward pass), after a short warm-up of both.
 */
public final class AttackBenchmark {

    private AttackBenchmark() {}

    /**
     * One timing.
     *
     * @param attack the attack's settings
     * @param iterations gradient iterations per image
     * @param images batch size
     * @param seconds wall time
     */
    public record Timing(String attack, int iterations, int images, double seconds) {
        /** @return iterations (of the whole batch) per second */
        public double iterationsPerSecond() {
            return iterations / seconds;
        }
    }

    /**
     * @param pgd PGD's timing
     * @param apgd APGD-CE's timing
     */
    public record Comparison(Timing pgd, Timing apgd) {
        /** @return APGD-CE iterations/s divided by PGD iterations/s (1 means no overhead) */
        public double ratio() {
            return apgd.iterationsPerSecond() / pgd.iterationsPerSecond();
        }
    }

    /**
     * Times PGD and APGD-CE with {@code iterations} iterations each on the batch (x, y), alternating the two
     * for {@code rounds} rounds and keeping each one's fastest round (robust to other load on the machine).
     */
    public static Comparison apgdVsPgd(Classifier f, ThreatModel threat, NDArray x, NDArray y, int iterations,
            int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        Attack pgd = Pgd.builder().setThreat(threat).optSteps(iterations).build();
        Attack apgd = ApgdCe.builder().setThreat(threat).optIterations(iterations).build();
        // warm-up: allocator, kernels and the JIT
        time(Pgd.builder().setThreat(threat).optSteps(2).build(), f, x, y, 2);
        time(ApgdCe.builder().setThreat(threat).optIterations(2).build(), f, x, y, 2);
        Timing p = null;
        Timing a = null;
        for (int r = 0; r < rounds; r++) {
            Timing ta = time(apgd, f, x, y, iterations);
            Timing tp = time(pgd, f, x, y, iterations);
            p = p == null || tp.seconds() < p.seconds() ? tp : p;
            a = a == null || ta.seconds() < a.seconds() ? ta : a;
        }
        return new Comparison(p, a);
    }

    private static Timing time(Attack a, Classifier f, NDArray x, NDArray y, int iterations) {
        long t0 = System.nanoTime();
        PreemptEngine.run(() -> a.perturb(f, x, y).adversarial().close());
        return new Timing(a.toString(), iterations, (int) x.getShape().get(0), (System.nanoTime() - t0) / 1e9);
    }
}
