package ai.preempt.cli;

import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import picocli.CommandLine.Option;

/** The {@code --pipeline} option: the server's preprocessing between the uploaded photo and the model. */
final class PipelineOptions {

    @Option(names = "--pipeline", paramLabel = "STAGES",
            description = "The server's preprocessing, in order: resize=N|HxW (bilinear with antialiasing, as PIL and "
                    + "torchvision; N = shorter side), resize-plain=N|HxW (no antialiasing), crop=N|HxW (centre), "
                    + "jpeg=Q (re-encode at quality Q; gradients straight-through, i.e. BPDA); e.g. "
                    + "resize=256,crop=224,jpeg=90, or none. Default: the model card's \"preprocess\"; without one, "
                    + "photos of another size than the model's input are resized (shorter side) and centre-cropped.")
    String pipeline;

    /**
     * @param modelSpec the --model value
     * @return the pipeline given, else the one the model declares, else null (fit photos to the model)
     */
    Pipeline resolve(String modelSpec) {
        if (pipeline != null) {
            return Pipeline.parse(pipeline);
        }
        return Models.descriptor(modelSpec).map(Pipeline::declaredIn).orElse(null);
    }

    /**
     * @return {@code f} behind the resolved pipeline for images of h×w (f itself when there is none and the size is
     *     the model's); prints a BPDA note when the pipeline re-encodes JPEG
     */
    Classifier wrap(Classifier f, String modelSpec, int h, int w) {
        Pipeline p = resolve(modelSpec);
        if (p == null) {
            p = Pipeline.fitTo(new int[] {h, w}, (int) f.inputShape().get(1), (int) f.inputShape().get(2));
        }
        if (p.isIdentity()) {
            return f;
        }
        noteBpda(p);
        return PipelineClassifier.builder().setClassifier(f).setPipeline(p).setPhotoSize(h, w).build();
    }

    /** Says on stderr that gradients through a JPEG stage are straight-through (BPDA). */
    static void noteBpda(Pipeline p) {
        if (p.hasJpeg()) {
            System.err.println("note: the pipeline " + p.spec() + " re-encodes JPEG; attacks and robustification use "
                    + "the real codec forward and a straight-through gradient backward (BPDA)");
        }
    }
}
