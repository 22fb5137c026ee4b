package ai.preempt.cli;

import ai.preempt.data.LabeledImages;
import ai.preempt.eval.Certification;
import ai.preempt.model.Classifier;
import ai.preempt.report.CertifiedAccuracyPlot;
import ai.preempt.report.CertifyReport;
import ai.preempt.robustify.L2Step;
import ai.preempt.smoothing.SmoothedClassifier;
import ai.preempt.smoothing.SmoothedRobustifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt certify}. */
@Command(name = "certify", mixinStandardHelpOptions = true,
        description = "Certify a Gaussian-smoothed model (Cohen et al. CERTIFY): per-image prediction and certified "
                + "L2 radius, certified accuracy at a few radii; --json writes per-image results, --plot a PNG "
                + "of certified accuracy against radius.")
final class CertifyCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin ImagesOption imagesOption;
    @Mixin SmoothingOptions smoothing;

    @Option(names = "--n", defaultValue = "500", description = "Images: a seeded random subset of the test split (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subset and the noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--radii", split = ",", defaultValue = "0,0.25,0.5,0.75,1.0",
            description = "Radii of the certified accuracy table (default: ${DEFAULT-VALUE}).")
    List<Double> radii;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON report here.")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw certified accuracy against radius here.")
    Path plot;

    @Option(names = "--preempt", defaultValue = "none",
            description = "none, ours, or none,ours: certify the originals and/or their robustified versions "
                    + "(Algorithm 1 on the smoothed soft classifier, L2, 5 samples; see --l2-step) (default: ${DEFAULT-VALUE}).")
    String preempt;

    @Option(names = "--eps", defaultValue = "0.5", description = "L2 budget of robustification, delta = eps (default: ${DEFAULT-VALUE}).")
    double eps;

    @Option(names = "--steps", defaultValue = "100", description = "Outer steps T of robustification (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--l2-step", defaultValue = "raw", description = "L2 step rule of robustification: raw (the "
            + "paper's, --lr 0.005) or normalized (scale-free, --lr 0.1 of delta per step) (default: ${DEFAULT-VALUE}).")
    String l2Step;

    @Option(names = "--lr", description = "Learning rate of robustification (default: 0.005 for raw, 0.1 for normalized).")
    Double lr;

    @Override
    public Integer call() throws Exception {
        SmoothedClassifier.Builder b = smoothing.builder(seed);
        for (double r : radii) {
            if (!(r >= 0)) {
                throw new IllegalArgumentException("--radii must be non-negative numbers, got " + r);
            }
        }
        L2Step step = L2Step.parse(l2Step);
        if (lr != null && !(lr > 0)) {
            throw new IllegalArgumentException("--lr must be positive, got " + lr);
        }
        try (Classifier f = modelOption.load()) {
            LabeledImages data = imagesOption.testImages(dataOptions, n, seed, f);
            SmoothedClassifier g = b.setBase(f).build();
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model", modelOption.model);
            imagesOption.record(config);
            config.put("sigma", g.sigma());
            config.put("n0", g.n0());
            config.put("samples", g.n());
            config.put("alpha", g.alpha());
            config.put("noise_batch", g.noiseBatch());
            config.put("n", data.size());
            config.put("subset_seed", seed);
            config.put("seed", seed);
            config.put("l2_step", step.name().toLowerCase(Locale.ROOT));
            Map<String, CertifyReport> reports = new LinkedHashMap<>();
            for (String p : preempt.split(",")) {
                String mode = p.trim().toLowerCase(Locale.ROOT);
                java.util.function.UnaryOperator<ai.djl.ndarray.NDArray> transform = switch (mode) {
                    case "none" -> java.util.function.UnaryOperator.identity();
                    case "ours" -> robustifier(f, g.sigma(), step)::robustify;
                    default -> throw new IllegalArgumentException("--preempt takes none and ours, got " + p);
                };
                Map<String, Object> cfg = new LinkedHashMap<>(config);
                cfg.put("preemption", mode);
                CertifyReport report = Certification.run(g, data, radii, cfg, ConsoleProgress.create(), transform);
                reports.put(mode, report);
                System.out.printf(Locale.ROOT, "model %s, %s, preemption %s, %d images, %d abstained, %.0f s%n", f.name(),
                        g, mode, data.size(), report.abstentions(), report.seconds());
                System.out.println("radius  certified accuracy");
                for (int i = 0; i < report.radii().size(); i++) {
                    System.out.printf(Locale.ROOT, "%6.2f  %6.2f%%%n", report.radii().get(i),
                            100 * report.certifiedAccuracy().get(i));
                }
            }
            Reports.writeJson(json, reports.size() == 1 ? reports.values().iterator().next() : reports);
            if (plot != null) {
                Map<String, List<CertifyReport.CertifiedImage>> curves = new LinkedHashMap<>();
                reports.forEach((k, v) -> curves.put(k, v.images()));
                CertifiedAccuracyPlot.write(plot, String.format(Locale.ROOT, "%s, sigma = %s", f.name(), g.sigma()),
                        curves);
                System.err.println("wrote " + plot);
            }
        }
        return 0;
    }

    private SmoothedRobustifier robustifier(Classifier f, double sigma, L2Step step) {
        SmoothedRobustifier.Builder b = SmoothedRobustifier.builder().setBase(f).setSigma(sigma).setEps(eps)
                .optOuterSteps(steps).optSeed(seed).optL2Step(step);
        if (lr != null) {
            b.optLr(lr);
        }
        return b.build();
    }
}
