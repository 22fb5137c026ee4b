package ai.preempt.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.preempt.attack.Pgd;
import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.model.Classifier;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.data.Resize;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.threat.Norm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineBenchmarkTest {

    /** Records the width of every batch it robustifies, then robustifies as the real one does. */
    private static final class Recording implements Robustifier {
        final Robustifier real;
        final List<Long> widths = new ArrayList<>();

        Recording(Robustifier real) {
            this.real = real;
        }

        @Override
        public RobustifyResult robustify(Classifier f, NDArray x0, NDArray labels) {
            widths.add(x0.getShape().get(3));
            return real.robustify(f, x0, labels);
        }

        @Override
        public RobustifyConfig config() {
            return real.config();
        }

        @Override
        public ai.preempt.robustify.RobustifyStream open(Classifier f, ai.djl.ndarray.NDManager results) {
            return real.open(f, results);
        }
    }

    @Test
    void pathsRunInterleavedBatchByBatchInAlternatingOrderAndScoreAsEachAlone() {
        LabeledImages cifar = Cifar10.load(TestData.cifarDir(), Split.TEST).subset(6, 1);
        Pipeline served = Pipeline.parse("resize=32");
        LabeledImages photos = cifar.map(im -> Resize.resize(im, 64, 64));
        PipelineBenchmark.Path model = new PipelineBenchmark.Path("model", photos.map(served::apply),
                Pipeline.identity(), PipelineClassifier.InnerAttack.MODEL_INPUT);
        PipelineBenchmark.Path full = new PipelineBenchmark.Path("full", photos, served,
                PipelineClassifier.InnerAttack.MODEL_INPUT);
        RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(2).optInnerSteps(2)
                .optSeed(0).build();
        try (NativeClassifier f = TestModels.tinyResNet(5)) {
            Pgd pgd = Pgd.builder().setThreat(cfg.adversary()).optSteps(3).optSeed(0).build();
            Recording r = new Recording(Robustifier.of(cfg));
            List<PipelineBenchmark.PathResult> both = PipelineBenchmark.run(List.of(model, full), f, null, r, pgd,
                    List.of(90), 2);
            assertThat(r.widths).containsExactly(32L, 64L, 64L, 32L, 32L, 64L);
            assertThat(both).extracting(PipelineBenchmark.PathResult::path).containsExactly("model", "full");
            for (int k = 0; k < 2; k++) {
                PipelineBenchmark.PathResult alone = PipelineBenchmark.run(List.of(k == 0 ? model : full), f, null,
                        Robustifier.of(cfg), pgd, List.of(90), 2).get(0);
                assertThat(both.get(k).clean()).isEqualTo(alone.clean());
                assertThat(both.get(k).attacked()).isEqualTo(alone.attacked());
                assertThat(both.get(k).jpeg().get(90)).containsExactly(alone.jpeg().get(90));
                assertThat(both.get(k).perImage()).isEqualTo(alone.perImage());
                assertPerImageAddsUp(both.get(k), 2);
                assertThat(both.get(k).cpuSecondsPerImageWithAttacks()).isGreaterThanOrEqualTo(
                        both.get(k).cpuSecondsPerImage());
                // the compute thread's share of the process's CPU time, which the OS counts in clock ticks (10 ms
                // here), while the thread's own time is counted in nanoseconds: allow two ticks over the whole run
                assertThat(both.get(k).computeCpuSecondsPerImage()).isPositive()
                        .isLessThanOrEqualTo(both.get(k).cpuSecondsPerImage() + 0.02 / both.get(k).images());
            }
            assertThatThrownBy(() -> PipelineBenchmark.run(List.of(model, new PipelineBenchmark.Path("short",
                    photos.head(4), served, PipelineClassifier.InnerAttack.MODEL_INPUT)), f, null, r, pgd, List.of(), 2))
                    .hasMessageContaining("same images");
        }
    }

    /** On the bundled model (right on most images): each image's outcome, lossless and after JPEG, adds up. */
    @Test
    void perImageOutcomesAddUpToTheAccuracies() {
        LabeledImages cifar = Cifar10.load(TestData.cifarDir(), Split.TEST).subset(8, 0);
        PipelineBenchmark.Path model = new PipelineBenchmark.Path("model", cifar, Pipeline.identity(),
                PipelineClassifier.InnerAttack.MODEL_INPUT);
        RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(1).optInnerSteps(1)
                .optSeed(0).build();
        try (NativeClassifier f = NativeClassifier.load(java.nio.file.Path.of("../models/adv-linf"))) {
            // twice robustification's budget, so that some protected images are fooled
            Pgd pgd = Pgd.builder().setThreat(cfg.adversary().withEps(16 / 255.0)).optSteps(10).optSeed(0).build();
            PipelineBenchmark.PathResult res = PipelineBenchmark.run(List.of(model), f, null, Robustifier.of(cfg), pgd,
                    List.of(75), 8).get(0);
            assertPerImageAddsUp(res, 1);
            // all three outcomes occur, so a mix-up of any two would not add up
            assertThat(res.perImage().lossless()).contains(PipelineBenchmark.Outcome.values());
            assertThat(res.clean()).isNotEqualTo(res.attacked());
        }
    }

    /** The per-image outcomes, in order, add up to the accuracies; one step count per image, at most T. */
    private static void assertPerImageAddsUp(PipelineBenchmark.PathResult res, int outerSteps) {
        PipelineBenchmark.PerImage p = res.perImage();
        assertThat(p.outerSteps()).hasSize(res.images()).allSatisfy(t -> assertThat(t).isBetween(1, outerSteps));
        assertOutcomes(p.lossless(), res.images(), res.clean(), res.attacked());
        assertThat(p.jpeg().keySet()).containsExactlyElementsOf(res.jpeg().keySet());
        p.jpeg().forEach((q, o) -> assertOutcomes(o, res.images(), res.jpeg().get(q)[0], res.jpeg().get(q)[1]));
    }

    private static void assertOutcomes(List<PipelineBenchmark.Outcome> o, int n, double clean, double attacked) {
        assertThat(o).hasSize(n);
        long wrong = o.stream().filter(x -> x == PipelineBenchmark.Outcome.WRONG).count();
        long robust = o.stream().filter(x -> x == PipelineBenchmark.Outcome.ROBUST).count();
        assertThat((n - wrong) / (double) n).isEqualTo(clean);
        assertThat(robust / (double) n).isEqualTo(attacked);
    }
}
