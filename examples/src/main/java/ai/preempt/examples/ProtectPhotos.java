package ai.preempt.examples;

import ai.preempt.data.Image;
import ai.preempt.data.ImageFolder;
import ai.preempt.data.ImageIo;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.protect.Protector;
import ai.preempt.protect.Verdict;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Protects every photo in a folder at its own size: each is robustified against L∞ attacks of 8/255 through
 * the preprocessing a server applies before the model (centre crop and resize to the model's input), and
 * written as a PNG, with the verdict printed.
 *
 * <p>Usage: {@code ProtectPhotos PHOTOS_DIR OUTPUT_DIR [MODEL [OUTER_STEPS]]} (model {@code adv-linf}, T = 100).
 */
public final class ProtectPhotos {

    private ProtectPhotos() {}

    public static void main(String[] args) throws Exception {
        Path photos = Path.of(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        String model = args.length > 2 ? args[2] : "adv-linf";
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        try (Classifier f = Models.load(model)) {
            RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(steps).build();
            Protector protector = Protector.builder(f, Robustifier.of(cfg)).build();
            for (Path file : ImageFolder.list(photos)) {
                Image photo = ImageIo.read(file);
                String name = file.getFileName().toString();
                Protector.Protected p = protector.protect(List.of(photo), List.of(name), null).get(0);
                ImageIo.writePng(out.resolve(name.replaceAll("\\.[^.]*$", "") + ".png"), p.image());
                Verdict v = p.verdict();
                System.out.printf("%s: %s, robust loss %.3f (Lemma 1 %s), PSNR %.1f dB%n", v.name(),
                        v.classAfter(), v.robustLoss(), v.meetsLemma1() ? "met" : "not met", v.psnr());
            }
        }
    }
}
