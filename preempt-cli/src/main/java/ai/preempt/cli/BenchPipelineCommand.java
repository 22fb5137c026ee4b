package ai.preempt.cli;

import ai.preempt.attack.Attack;
import ai.preempt.bench.PipelineBenchmark;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Resize;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.Jpeg;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench pipeline}: the model-resolution path against full-resolution photos, in one run. */
@Command(name = "pipeline", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Protect photos at full size behind the server's pipeline, against protecting the image the "
                + "model sees: seeded CIFAR-10 test images are upscaled (bilinear) by --upscale and rounded to 8 bits; "
                + "these are the photos. The model-resolution path robustifies what the pipeline makes of each photo "
                + "(8-bit) and attacks it there; the full-resolution path robustifies the photo itself through the "
                + "pipeline and attacks the 8-bit full-size photo through the pipeline.",
            "Prints per path the robustification time per image (wall and CPU), the clean and grey-box PGD-20 "
                    + "accuracy, the same after the server re-encodes the upload as JPEG (--jpeg; attacks through the "
                    + "codec use BPDA), and the ratios of the full-resolution path to the model-resolution path. The paths "
                    + "run interleaved batch by batch (ABBA order), so a changing load weighs on each alike."})
final class BenchPipelineCommand implements Callable<Integer> {

    @Mixin RobustifyBenchOptions bench;

    @Option(names = "--upscale", defaultValue = "8", description = "Photo size as a multiple of the model's input (default: ${DEFAULT-VALUE}).")
    int upscale;

    @Option(names = "--pipeline", defaultValue = "resize=32", paramLabel = "STAGES",
            description = "The server's preprocessing of a photo (default: ${DEFAULT-VALUE}).")
    String pipeline;

    @Option(names = "--paths", defaultValue = "model,full", description = "model (model resolution), full (full "
            + "resolution, inner attack after the pipeline's resize/crop), full-photo (full resolution, inner attack "
            + "on the photo), comma-separated (default: ${DEFAULT-VALUE}).")
    String paths;

    @Option(names = "--jpeg", defaultValue = "90,75", description = "JPEG qualities of the server's re-encode to "
            + "report; none for none (default: ${DEFAULT-VALUE}).")
    String jpeg;

    @Option(names = "--survive", paramLabel = "jpeg:Q", split = ",", description = "Robustify for the server also "
            + "after a JPEG re-encode of the upload at quality Q; several (none for the default) run every path once "
            + "each, e.g. none,jpeg:75 (default: none).")
    List<String> survive;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures here.")
    Path json;

    @Override
    public Integer call() throws Exception {
        RobustifyConfig cfg = bench.robustifyOptions.config();
        if (upscale < 1 || upscale > 64) {
            throw new IllegalArgumentException("--upscale must lie in 1..64, got " + upscale);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        Pipeline served = Pipeline.parse(pipeline);
        List<Jpeg> surviveStages = new ArrayList<>();
        for (String sv : survive == null ? List.of("none") : survive) {
            surviveStages.add(sv.trim().equalsIgnoreCase("none") ? null : RobustifyCommand.parseSurvive(sv));
        }
        List<Integer> qualities = new ArrayList<>();
        if (!jpeg.equalsIgnoreCase("none")) {
            for (String q : jpeg.split(",")) {
                try {
                    qualities.add(new Jpeg(Integer.parseInt(q.trim())).quality());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--jpeg takes qualities 1..100 separated by commas, got " + jpeg);
                }
            }
        }
        List<String> pathNames = List.of(paths.split(","));
        try (Classifier f = bench.modelOption.load()) {
            int h = (int) f.inputShape().get(1) * upscale;
            int w = (int) f.inputShape().get(2) * upscale;
            PipelineClassifier.builder().setClassifier(f).setPipeline(served).setPhotoSize(h, w).build(); // checks sizes
            PipelineOptions.noteBpda(surviveStages.stream().filter(java.util.Objects::nonNull).findFirst()
                    .map(served::prepend).orElse(served));
            LabeledImages cifar = bench.images();
            LabeledImages photos = cifar.map(im -> Resize.resize(im, h, w));
            Attack pgd = ai.preempt.attack.Pgd.builder().setThreat(cfg.adversary()).optSeed(bench.robustifyOptions.seed).build();
            Robustifier r = Robustifier.of(cfg);
            System.out.printf(Locale.ROOT, "%d CIFAR-10 %s images upscaled x%d to %dx%d; server pipeline %s; %s; "
                    + "grey-box attack %s%n", photos.size(), bench.splitName(), upscale, h, w,
                    served.spec(), f.name(), pgd);
            List<PipelineBenchmark.Path> chosen = new ArrayList<>();
            for (String p : pathNames) {
                chosen.add(switch (p.trim().toLowerCase(Locale.ROOT)) {
                    case "model" -> new PipelineBenchmark.Path("model-resolution", photos.map(im -> served.apply(im)),
                            Pipeline.identity(), PipelineClassifier.InnerAttack.MODEL_INPUT);
                    case "full" -> new PipelineBenchmark.Path("full-resolution", photos, served,
                            PipelineClassifier.InnerAttack.MODEL_INPUT);
                    case "full-photo" -> new PipelineBenchmark.Path("full-resolution, inner attack on the photo", photos,
                            served, PipelineClassifier.InnerAttack.PHOTO);
                    default -> throw new IllegalArgumentException("--paths takes model, full and full-photo, got " + p);
                });
            }
            List<PipelineBenchmark.PathResult> results = new ArrayList<>();
            for (Jpeg surviveStage : surviveStages) {
                List<PipelineBenchmark.PathResult> group = PipelineBenchmark.run(chosen, f, surviveStage, r, pgd,
                        qualities, batch);
                group.forEach(BenchPipelineCommand::print);
                printRatios(group);
                results.addAll(group);
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", bench.modelOption.model);
            report.put("config", cfg);
            report.put("upscale", upscale);
            report.put("pipeline", served.spec());
            report.put("split", bench.splitName());
            report.put("survive", survive == null ? List.of("none") : survive);
            report.put("paths", results);
            Reports.writeJson(json, report);
        }
        return 0;
    }

    /** Full-resolution paths against the model-resolution path robustified the same way. */
    private static void printRatios(List<PipelineBenchmark.PathResult> group) {
        PipelineBenchmark.PathResult model = group.stream().filter(x -> x.path().equals("model-resolution"))
                .findFirst().orElse(null);
        for (PipelineBenchmark.PathResult res : group) {
            if (model != null && res != model) {
                System.out.printf(Locale.ROOT, "%s vs model-resolution: wall time %.2fx, CPU time %.2fx (compute "
                        + "thread %.2fx), grey-box PGD accuracy %.1f%% of the model-resolution path's%n", res.path(),
                        res.secondsPerImage() / model.secondsPerImage(), res.cpuSecondsPerImage()
                        / model.cpuSecondsPerImage(), res.computeCpuSecondsPerImage()
                        / model.computeCpuSecondsPerImage(), 100 * res.attacked() / model.attacked());
            }
        }
    }

    private static void print(PipelineBenchmark.PathResult r) {
        StringBuilder sb = new StringBuilder();
        r.jpeg().forEach((q, acc) -> sb.append(String.format(Locale.ROOT, "; after JPEG q=%d: clean %.1f%%, PGD %.1f%%",
                q, 100 * acc[0], 100 * acc[1])));
        System.out.printf(Locale.ROOT, "%-44s upload %s: %.3f s/image (CPU %.3f s, compute thread %.3f s; with the "
                + "attacks %.3f s; %.0f passes, %.1f outer steps); clean %.1f%%, grey-box PGD %.1f%%%s%n",
                r.path() + (r.robustifiedThrough().equals(r.pipeline()) ? "" : " (through " + r.robustifiedThrough() + ")"),
                r.uploadSize(), r.secondsPerImage(), r.cpuSecondsPerImage(), r.computeCpuSecondsPerImage(),
                r.cpuSecondsPerImageWithAttacks(), r.passesPerImage(), r.outerStepsPerImage(), 100 * r.clean(), 100 * r.attacked(), sb);
    }
}
