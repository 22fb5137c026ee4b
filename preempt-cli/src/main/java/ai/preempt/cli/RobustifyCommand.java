package ai.preempt.cli;

import ai.preempt.attack.Pgd;
import ai.preempt.data.Image;
import ai.preempt.data.ImageFolder;
import ai.preempt.data.ImageIo;
import ai.preempt.data.ImageLimits;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Resize;
import ai.preempt.io.AtomicFiles;
import ai.preempt.io.Progress;
import ai.preempt.model.Classifier;
import ai.preempt.model.ModelCard;
import ai.preempt.pipeline.Jpeg;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.protect.Protector;
import ai.preempt.protect.Verdict;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code preempt robustify}: the main job. */
@Command(name = "robustify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Protect images: move each one, invisibly (inside the delta-ball), to a point where no "
                + "perturbation inside the attacker's eps-ball changes the model's answer (Algorithm 1 of Moon, An & "
                + "Song, AAAI 2022). Writes one 8-bit PNG and one JSON verdict per image into --out, then a report.",
            "Inputs: image files (PNG, JPEG, BMP) or folders of them, or --data with --n for CIFAR-10 test images. "
                    + "Each photo is protected at its own size: the budgets are in its pixels, robustification runs "
                    + "through the server's preprocessing (--pipeline; by default photos of another size than the "
                    + "model's input are resized and centre-cropped), and the PNG written has the photo's size. "
                    + "--no-resize rejects photos of another size instead.",
            "Resumable: a re-run skips images whose PNG and verdict exist; every file is written to a temporary "
                    + "file and moved into place."})
final class RobustifyCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin RobustifyOptions robustifyOptions;
    @Mixin ImageLimitOptions imageLimits;
    @Mixin PipelineOptions pipelineOptions;

    @Parameters(paramLabel = "INPUT", arity = "0..*", description = "Image files or folders.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR", description = "CIFAR-10 folder: robustify test images instead of files.")
    String data;

    @Option(names = "--n", defaultValue = "100", description = "With --data: a seeded random subset of this many test images (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Report file (default: OUT/report.json).")
    Path json;

    @Option(names = "--batch", defaultValue = "16", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--no-resize", description = "Reject images whose size differs from the model's input.")
    boolean noResize;

    @Option(names = "--float", description = "Judge the float result instead of the 8-bit image that is written.")
    boolean floatOutput;

    @Mixin CheckOption checkOption;

    @Option(names = "--survive", paramLabel = "jpeg:Q", description = "Robustify for the server both as it is and "
            + "after a JPEG re-encode of the upload at quality Q, so the protection holds whether or not the server "
            + "re-encodes (e.g. jpeg:75; costs about twice the time). An image this leaves fooled through the server as "
            + "it is gets robustified again for that server alone, so the lossless case loses nothing.")
    String survive;

    @Option(names = "--inner-attack", defaultValue = "model", description = "Where robustification's inner attack "
            + "runs: model (after the pipeline's resize/crop, in the ball they map the photo's ball into; cheaper "
            + "and at least as strong) or photo (on the photo itself) (default: ${DEFAULT-VALUE}).")
    String innerAttack;

    /** One image to protect. */
    private record Job(String name, Image image, int label) {}

    @Override
    public Integer call() throws Exception {
        RobustifyConfig cfg = robustifyOptions.config();
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (inputs.isEmpty() == (data == null)) {
            throw new IllegalArgumentException("give image files or folders, or --data with --n, but not both");
        }
        try (Classifier f = modelOption.load()) {
            List<Job> jobs = data != null ? cifarJobs() : fileJobs(f);
            Pgd check = checkOption.check() ? Pgd.builder().setThreat(cfg.adversary()).optSeed(cfg.seed()).build()
                    : null;
            Pipeline pipeline = pipelineOptions.resolve(modelOption.model);
            if (pipeline != null) {
                PipelineOptions.noteBpda(pipeline);
            }
            Protector protector = Protector.builder(f, Robustifier.of(cfg)).optQuantize(!floatOutput).optCheck(check)
                    .optPipeline(pipeline).optSurvive(parseSurvive(survive)).optInnerAttack(innerAttack(innerAttack))
                    .build();
            for (Job j : jobs) { // fail before any work when the pipeline cannot take a photo
                protector.serverView(j.image().height(), j.image().width());
            }
            Files.createDirectories(out);
            // temporary files of an interrupted run (AtomicFiles names them .NAME.RANDOM.tmp) are garbage
            try (var stale = Files.newDirectoryStream(out, ".*.tmp")) {
                for (Path p : stale) {
                    Files.deleteIfExists(p);
                }
            }
            List<Verdict> done = new ArrayList<>();
            List<Job> todo = new ArrayList<>();
            for (Job j : jobs) {
                Path v = out.resolve(j.name() + ".json");
                if (Files.isRegularFile(out.resolve(j.name() + ".png")) && Files.isRegularFile(v)) {
                    done.add(ModelCard.JSON.readValue(v.toFile(), Verdict.class));
                } else {
                    todo.add(j);
                }
            }
            if (!done.isEmpty()) {
                System.err.printf("resuming: %d of %d images already done%n", done.size(), jobs.size());
            }
            Progress progress = ConsoleProgress.create();
            progress.start("robustify", todo.size());
            for (int from = 0; from < todo.size(); from += batch) {
                List<Job> part = todo.subList(from, Math.min(todo.size(), from + batch));
                int[] labels = part.stream().mapToInt(Job::label).toArray();
                List<Protector.Protected> res = protector.protect(part.stream().map(Job::image).toList(),
                        part.stream().map(Job::name).toList(), data != null ? labels : null);
                for (Protector.Protected p : res) {
                    String name = p.verdict().name();
                    ImageIo.writePng(out.resolve(name + ".png"), p.image());
                    AtomicFiles.write(out.resolve(name + ".json"), o -> ModelCard.JSON.writeValue(o, p.verdict()));
                    done.add(p.verdict());
                }
                progress.advance(part.size(), null);
            }
            progress.finish();
            print(done, cfg, f);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", modelOption.model);
            report.put("config", cfg);
            report.put("images", done.size());
            report.put("lemma1_fraction", done.stream().filter(Verdict::meetsLemma1).count() / (double) Math.max(1, done.size()));
            report.put("verdicts", done);
            Reports.writeJson(json != null ? json : out.resolve("report.json"), report);
        }
        return 0;
    }

    /** @return the JPEG stage of {@code --survive jpeg:Q}, or null */
    static Jpeg parseSurvive(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.startsWith("jpeg:")) {
            throw new IllegalArgumentException("--survive takes jpeg:Q (e.g. jpeg:75), got \"" + text + "\"");
        }
        try {
            return new Jpeg(Integer.parseInt(t.substring(5).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--survive takes jpeg:Q with a quality 1..100, got \"" + text + "\"");
        }
    }

    /** @return the value of {@code --inner-attack} */
    static PipelineClassifier.InnerAttack innerAttack(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "model" -> PipelineClassifier.InnerAttack.MODEL_INPUT;
            case "photo" -> PipelineClassifier.InnerAttack.PHOTO;
            default -> throw new IllegalArgumentException("--inner-attack takes model or photo, got " + text);
        };
    }

    private List<Job> cifarJobs() {
        LabeledImages d = DataOptions.testSubset(data, n, robustifyOptions.seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            jobs.add(new Job(String.format("cifar-test-%05d", d.index(i)), d.image(i), d.label(i)));
        }
        return jobs;
    }

    private List<Job> fileJobs(Classifier f) {
        int h = (int) f.inputShape().get(1);
        int w = (int) f.inputShape().get(2);
        List<Job> jobs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        ImageLimits limits = imageLimits.limits();
        for (Path p : ImageFolder.list(inputs)) {
            Image img = ImageIo.read(p, limits);
            if (noResize) {
                Resize.fit(img, p.getFileName().toString(), h, w, Resize.Policy.REJECT); // rejects another size
            }
            String base = p.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            String name = base;
            for (int k = 2; !names.add(name); k++) {
                name = base + "-" + k;
            }
            jobs.add(new Job(name, img, -1));
        }
        return jobs;
    }

    private static void print(List<Verdict> verdicts, RobustifyConfig cfg, Classifier f) {
        if (f.classes().equals(ModelCard.CIFAR_CLASSES)) {
            System.out.printf(Locale.ROOT, "note: %s is a 10-class CIFAR-10 model (%s) with %dx%d inputs; every photo "
                    + "gets one of these ten labels, whatever it shows%n", f.name(), String.join(", ", f.classes()),
                    f.inputShape().get(1), f.inputShape().get(2));
        }
        boolean checked = verdicts.stream().anyMatch(v -> v.attackedOriginal() >= 0);
        System.out.printf(Locale.ROOT, "%-18s %-9s %-12s %-12s %-12s %-12s %8s %6s %7s %6s%n", "photo", "size",
                "original", checked ? "+PGD-20" : "", "protected", checked ? "+PGD-20" : "", "rob.loss", "lemma1",
                "linf", "psnr");
        for (Verdict v : verdicts) {
            System.out.printf(Locale.ROOT, "%-18s %-9s %-12s %-12s %-12s %-12s %8.4f %6s %5.1f/255 %5.1f%n", v.name(),
                    v.height() + "x" + v.width(), v.classBefore(), attacked(f, v.attackedOriginal()), v.classAfter(),
                    attacked(f, v.attackedProtected()), v.robustLoss(), v.meetsLemma1() ? "yes" : "no",
                    v.linfDistance() * 255, v.psnr());
            if (v.jpeg() != null && !v.jpeg().isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (Verdict.JpegSurvival j : v.jpeg()) {
                    sb.append(String.format(Locale.ROOT, "  q%d: %s%s", j.quality(), j.className(),
                            j.attacked() >= 0 ? " / +PGD-20 " + attacked(f, j.attacked()) : ""));
                }
                System.out.println("    after the server re-encodes the protected photo as JPEG:" + sb);
            }
        }
        System.out.println("labels are what the server sees: the photo after its preprocessing ("
                + verdicts.stream().map(Verdict::pipeline).distinct().reduce((x, y) -> x + "; " + y).orElse("none")
                + "); +PGD-20: after a grey-box PGD-20 attack (" + cfg.adversary().describe()
                + ") on the photo at its own size");
        if (checked) {
            long origSurvive = verdicts.stream().filter(v -> v.attackedOriginal() == v.labelBefore()).count();
            long protSurvive = verdicts.stream().filter(v -> v.attackedProtected() == v.protectedLabel()).count();
            System.out.printf(Locale.ROOT, "PGD-20 (%s) keeps the label of %d/%d originals and %d/%d protected photos%n",
                    cfg.adversary().describe(), origSurvive, verdicts.size(), protSurvive, verdicts.size());
        }
    }

    private static String attacked(Classifier f, long label) {
        return label < 0 ? "" : f.classes().get((int) label);
    }
}
