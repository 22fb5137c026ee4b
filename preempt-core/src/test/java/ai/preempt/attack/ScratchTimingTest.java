package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;

class ScratchTimingTest {
    @Test
    void timing() {
        if (System.getenv("ONE") != null) PreemptEngine.setThreads(1);
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LabeledImages data = Cifar10.load(TestData.cifarDir(), Split.TEST);
                Classifier f = AutoAttackTest.classMeans(m, data);
                NDArray x = data.images(m, 0, 20);
                NDArray y = data.labels(m, 0, 20);
                ThreatModel t = ThreatModel.of(Norm.LINF, 0.5 / 255);
                for (int rep = 0; rep < 4; rep++) for (Attack a : new Attack[] {Pgd.builder().setThreat(t).build(), ApgdCe.builder().setThreat(t).optIterations(20).build(),
                        ApgdT.builder().setThreat(t).optIterations(20).optTargetClasses(1).build(),
                        FabT.builder().setThreat(t).optIterations(20).optTargetClasses(1).build(),
                        Square.builder().setThreat(t).optQueries(20).build()}) {
                    long t0 = System.nanoTime();
                    int nn = 20 - rep; AttackResult r = a.perturb(f, x.get("0:" + nn), y.get("0:" + nn));
                    System.out.printf("%s %d succ %.3f s%n", a.name(), r.successes(), (System.nanoTime() - t0) / 1e9);
                }
            }
        });
    }
}
