package ai.preempt.cli;

import ai.preempt.data.LabeledImages;
import ai.preempt.eval.Preemption;
import ai.preempt.eval.PreemptionEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.report.EvalReport;
import ai.preempt.robustify.RobustifyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt eval}: the paper's tables. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate preemptive robustification as the paper does (Tables 1-2): for each preemption "
                + "(none, ours) the clean accuracy, grey-box accuracy (the attack sees the robustified image) and "
                + "white-box accuracy (the adaptive attack: reconstruct the original, Algorithm 3, then attack with "
                + "eps' in {eps/4, eps/2, 3eps/4, eps}, judged against the true original; worst case per image).",
            "Prints a Markdown table; --json writes it with per-image results. Robustification costs "
                    + "T*m*(K+1) = 2,100 forward+backward passes per image at the defaults, and the white-box "
                    + "reconstruction as much again: start with a small --n."})
final class EvalCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin ImagesOption imagesOption;
    @Mixin RobustifyOptions robustifyOptions;
    @Mixin PipelineOptions pipelineOptions;

    @Option(names = "--n", defaultValue = "1000", description = "Seeded random subset of the test split (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--preempt", defaultValue = "none,ours", description = "Rows: none, ours or both (default: ${DEFAULT-VALUE}).")
    String preempt;

    @Option(names = "--attacks", defaultValue = "pgd", description = "Columns: pgd (PGD-20), pgd10 (10 restarts), aa (AutoAttack standard) or one of its components (apgd-ce, apgd-t, fab-t, square: each on its own, to see which breaks a defence), comma-separated (default: ${DEFAULT-VALUE}).")
    String attacks;

    @Option(names = "--batch", defaultValue = "50", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--float", description = "Evaluate the float robustified images (the reference) instead of the 8-bit ones.")
    boolean floatImages;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the table and per-image results here.")
    Path json;

    @Option(names = "--state", paramLabel = "FILE", description = "Save every finished batch here; if the file "
            + "exists, resume from it (long runs survive interruption and end with the same report).")
    Path state;

    @Option(names = "--smoothed", description = "Evaluate the Gaussian-smoothed model (Table 5): predictions are the "
            + "majority vote of 50 noisy samples, attacks run on the smoothed soft classifier (randomized PGD), and "
            + "robustification uses 5 samples per pass with the raw L2 step 0.005 (unless --l2-step is given). Use --norm l2 "
            + "and --attacks pgd,pgd10.")
    boolean smoothed;

    @Option(names = "--sigma", defaultValue = "0.1", description = "Noise level with --smoothed (default: ${DEFAULT-VALUE}).")
    double sigma;

    @Option(names = "--no-white-box", description = "Skip the white-box columns (Algorithms 3-4, as costly again as "
            + "robustification): the grey-box table for large --n.")
    boolean noWhiteBox;

    @Option(names = "--figures", paramLabel = "DIR", description = "Write the paper's figures as PNG files here: "
            + "fig3-reconstruction-error.png, fig4-robust-loss.png and fig6-grid.png (first 6 images).")
    Path figures;

    @Override
    public Integer call() throws Exception {
        RobustifyConfig cfg = robustifyOptions.config();
        if (smoothed) {
            if (cfg.norm() != ai.preempt.threat.Norm.L2 || !(sigma > 0)) {
                throw new IllegalArgumentException("--smoothed needs --norm l2 and a positive --sigma");
            }
            // the paper's raw step unless --l2-step is given, with the smoothed classifiers' learning rate
            ai.preempt.robustify.L2Step step = robustifyOptions.l2StepGiven() ? cfg.l2Step()
                    : ai.preempt.robustify.L2Step.RAW;
            cfg = cfg.toBuilder().optL2Step(step).optLr(robustifyOptions.lr != null ? robustifyOptions.lr
                    : ai.preempt.smoothing.SmoothedRobustifier.defaultLr(step)).build();
        }
        var attackMap = ai.preempt.attack.NamedAttacks.parse(attacks, robustifyOptions.seed);
        List<Preemption> rows = new ArrayList<>();
        for (String p : preempt.split(",")) {
            rows.add(Preemption.parse(p));
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        try (Classifier model = modelOption.load()) {
            LabeledImages data = imagesOption.testImages(dataOptions, n, robustifyOptions.seed, model);
            // the server's view of the data's images: --pipeline (attacks through JPEG are BPDA), else the model's own
            Classifier base = pipelineOptions.wrap(model, modelOption.model, data.imageShape()[1], data.imageShape()[2]);
            Classifier f = smoothed ? soft(base, 50) : base;
            Classifier robustifyWith = smoothed ? soft(base, 5) : base;
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model", modelOption.model);
            imagesOption.record(config);
            config.put("n", data.size());
            config.put("subset_seed", robustifyOptions.seed);
            config.put("robustify", cfg);
            config.put("pipeline", base instanceof ai.preempt.pipeline.PipelineClassifier p ? p.pipeline().spec() : "none");
            config.put("attacks", new ArrayList<>(attackMap.keySet()));
            config.put("evaluated_images", floatImages ? "float" : "8-bit");
            config.put("white_box", !noWhiteBox);
            if (smoothed) {
                config.put("smoothed_sigma", sigma);
            }
            EvalReport report = PreemptionEvaluation.builder().setConfig(cfg).setAttacks(attackMap)
                    .optQuantize(!floatImages).optWhiteBox(!noWhiteBox).optBatch(batch)
                    .optProgress(ConsoleProgress.create()).optStateFile(state).build()
                    .run(f, robustifyWith, data, rows, config);
            System.out.println(report.toMarkdown(new ArrayList<>(attackMap.keySet())));
            if (base instanceof ai.preempt.pipeline.PipelineClassifier p) {
                System.out.println("measured through the pipeline " + p.pipeline().spec() + (p.pipeline().hasJpeg()
                        ? "; attacks and robustification through the JPEG stage use BPDA (real codec forward, "
                                + "straight-through gradient backward)" : ""));
            }
            for (EvalReport.Row r : report.rows()) {
                if (!Double.isNaN(r.lemma1())) {
                    System.out.printf(java.util.Locale.ROOT,
                            "%s/%s: Lemma 1 met by %.1f%% of correctly classified images; mean reconstruction error %.4f; %.2f s per image; "
                                    + "passes per image mean %.0f, median %.0f, p95 %.0f%n",
                            r.model(), r.preemption(), 100 * r.lemma1(), r.meanReconstructionError(), r.secondsPerImage(),
                            r.passes().mean(), r.passes().median(), r.passes().p95());
                    r.whiteBoxPerBudget().forEach((a, acc) -> System.out.printf(java.util.Locale.ROOT,
                            "  white-box %s per eps' (eps/4, eps/2, 3eps/4, eps): %s%n", a, java.util.Arrays.toString(
                                    java.util.Arrays.stream(acc).map(v -> Math.round(v * 10000) / 100.0).toArray())));
                }
            }
            Reports.writeJson(json, report);
            if (figures != null) {
                writeFigures(f, data, cfg, attackMap.values().iterator().next(), report);
            }
        }
        return 0;
    }

    private Classifier soft(Classifier base, int samples) {
        return ai.preempt.smoothing.SoftSmoothedClassifier.builder().setBase(base).setSigma(sigma).optSamples(samples)
                .optSeed(robustifyOptions.seed).build();
    }

    private void writeFigures(Classifier f, LabeledImages data, RobustifyConfig cfg,
            java.util.function.Function<ai.preempt.threat.ThreatModel, ai.preempt.attack.Attack> attack,
            EvalReport report) throws java.io.IOException {
        List<EvalReport.ImageRow> ours = report.images().stream().filter(r -> r.preemption().equals("Ours")).toList();
        if (!ours.isEmpty()) {
            if (!noWhiteBox) {
                ai.preempt.report.Figures.histogram(figures.resolve("fig3-reconstruction-error.png"),
                        "Reconstruction error ||x_rec - x_o|| (" + cfg.norm().id() + ")", "reconstruction error",
                        ours.stream().mapToDouble(EvalReport.ImageRow::reconstructionError).toArray(), cfg.eps(), "eps");
            }
            // Figure 4 of the paper: the robust loss of the written images of correctly classified originals
            ai.preempt.report.Figures.histogram(figures.resolve("fig4-robust-loss.png"),
                    "Robust loss of robustified, correctly classified images", "robust loss",
                    ours.stream().filter(r -> r.protectedLabel() == r.label())
                            .mapToDouble(EvalReport.ImageRow::robustLoss).toArray(),
                    ai.preempt.robustify.Lemma1.BOUND, "log 2");
        }
        int k = Math.min(6, data.size());
        List<String> cls = f.classes();
        List<ai.preempt.report.Figures.GridRow> rows = ai.preempt.engine.PreemptEngine.call(() -> {
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
                ai.djl.ndarray.NDArray x0 = data.images(m, 0, k);
                ai.djl.ndarray.NDArray y = data.labels(m, 0, k);
                ai.djl.ndarray.NDArray xs = ai.preempt.robustify.Quantizer.quantize(x0,
                        ai.preempt.robustify.Robustifier.of(cfg).robustify(f, x0, null).images(),
                        cfg.adversary().withEps(cfg.delta()));
                ai.djl.ndarray.NDArray adv = attack.apply(cfg.adversary()).perturb(f, xs, y).adversarial();
                long[] p0 = f.predict(x0).toLongArray();
                long[] ps = f.predict(xs).toLongArray();
                long[] pa = f.predict(adv).toLongArray();
                List<ai.preempt.report.Figures.GridRow> out = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    out.add(new ai.preempt.report.Figures.GridRow(
                            ai.preempt.data.Image.fromNDArray(x0.get(i)), cls.get((int) p0[i]),
                            ai.preempt.data.Image.fromNDArray(xs.get(i)), cls.get((int) ps[i]),
                            ai.preempt.data.Image.fromNDArray(adv.get(i)), cls.get((int) pa[i])));
                }
                return out;
            }
        });
        ai.preempt.report.Figures.grid(figures.resolve("fig6-grid.png"), rows, 10f);
        System.err.println("wrote figures to " + figures);
    }
}
