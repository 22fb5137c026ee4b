package ai.preempt.spark;

import ai.preempt.attack.Pgd;
import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.model.Classifier;
import ai.preempt.protect.Protector;
import ai.preempt.protect.Verdict;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import java.util.List;

/**
 * The job's one call into core's protection path: protect the decoded photo at its own size through the model's
 * preprocessing (as {@code preempt robustify} does), encode the PNG. It does exactly what {@code preempt robustify --batch 1} does for one file (same {@link Protector}, same
 * check attack, same resize policy, same PNG encoder), so the bytes are equal.
 *
 * <p>One image per robustification batch, on purpose: core seeds a batch from its seed and the batch's content,
 * so a lone image is seeded by its own pixels and its result cannot depend on how Spark partitions the data set
 * or which images share a task.
 */
final class Protection {

    /** A protected image: the PNG to write and its verdict. */
    record Result(byte[] png, Verdict verdict) {}

    private final Classifier f;
    private final Protector protector;

    /**
     * @param f the classifier
     * @param cfg Algorithm 1's settings
     * @param check whether to run the PGD-20 check on the original and the protected image
     */
    Protection(Classifier f, RobustifyConfig cfg, boolean check) {
        this.f = f;
        Pgd pgd = check ? Pgd.builder().setThreat(cfg.adversary()).optSeed(cfg.seed()).build() : null;
        this.protector = Protector.builder(f, Robustifier.of(cfg)).optCheck(pgd).build();
    }

    /** @return the model's class names, for labels taken from a class-per-folder tree */
    List<String> classes() {
        return f.classes();
    }

    /**
     * @param decoded the decoded input at its own size
     * @param name the image's name in the verdict
     * @param trueLabel the true label, or -1
     */
    Result protect(Image decoded, String name, int trueLabel) {
        Protector.Protected p = protector.protect(List.of(decoded), List.of(name),
                trueLabel < 0 ? null : new int[] {trueLabel}).get(0);
        return new Result(ImageIo.toPngBytes(p.image()), p.verdict());
    }
}
