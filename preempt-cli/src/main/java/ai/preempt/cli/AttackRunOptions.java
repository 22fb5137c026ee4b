package ai.preempt.cli;

import ai.preempt.data.LabeledImages;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.threat.ThreatModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every {@code preempt attack …} command takes: model, data, threat, subset, seed, batch, report. */
final class AttackRunOptions {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin ImagesOption imagesOption;
    @Mixin ThreatOptions threatOptions;
    @Mixin PipelineOptions pipelineOptions;

    @Option(names = "--n", defaultValue = "1000", description = "Images: a seeded random subset of the test split (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subset and of the attack (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "100", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON report here.")
    Path json;

    /** @return the model behind --pipeline (or the model's declared one) for images of the data's size */
    Classifier server(Classifier f, LabeledImages data) {
        int[] s = data.imageShape();
        return pipelineOptions.wrap(f, modelOption.model, s[1], s[2]);
    }

    /** @return the images to attack: {@code --images} or a seeded subset of CIFAR-10's test split */
    LabeledImages testImages(Classifier f) {
        return imagesOption.testImages(dataOptions, n, seed, f);
    }

    /**
     * @param served the model as attacked (behind its pipeline, if any)
     * @return the report's configuration so far: model, images, pipeline, norm and ε (the command adds its own)
     */
    Map<String, Object> config(Classifier served, ThreatModel threat) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", modelOption.model);
        imagesOption.record(config);
        config.put("pipeline", served instanceof PipelineClassifier p ? p.pipeline().spec() : "none");
        config.put("norm", threat.norm().id());
        config.put("eps", threat.eps());
        return config;
    }

    /** Records the run's images (how many were attacked), the subset and attack seed, and the batch size. */
    void recordRun(Map<String, Object> config, LabeledImages data) {
        config.put("n", data.size());
        config.put("subset_seed", seed);
        config.put("seed", seed);
        config.put("batch", batch);
    }
}
