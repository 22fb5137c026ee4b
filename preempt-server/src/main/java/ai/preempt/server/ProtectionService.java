package ai.preempt.server;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.data.Image;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.protect.Protector;
import ai.preempt.protect.Verdict;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The service's one door to the protection library: the three batched operations (robustify, classify, attack)
 * on photos at their own size. Each operation takes a batch of photos of one size and answers per photo, as the
 * server sees it: through the preprocessing that fits the photo to the model ({@link Protector#serverView}).
 * Robustified and attacked photos come back at the upload's size. Every tensor computation runs on the engine's
 * compute thread.
 *
 * <p>Batch invariance: an image's answer must not depend on what else shares its batch. The random numbers
 * are per image (core's {@code Rng.forImages}); the arithmetic is made so by {@link #MIN_ROWS}.
 */
final class ProtectionService {

    /**
     * Batches are padded to at least this many rows (copies of their first image, dropped afterwards).
     * PyTorch's CPU kernels take other code paths for a batch of 1 (forward) and of 2–3 (input gradients),
     * which changes results in the last float bit, and robustification amplifies such bits into different
     * pixels. Measured on this build: every batch of 4 or more gives each image bitwise the same logits and
     * input gradients wherever it sits. Identical copies draw identical random numbers and exit fast mode
     * together, so padding costs at most the work of three more images, and only on batches of fewer than four.
     */
    static final int MIN_ROWS = 4;

    /** A protected photo: the upload, what is returned (same size), and the verdict. */
    record Robustified(Image input, Image output, Verdict verdict) {}

    /** A classification: the label, its class name, and the softmax probability of every class. */
    record Classified(long label, String className, float[] probabilities) {}

    /** The demo attack: the attacked 8-bit photo (the upload's size) and the labels before and after. */
    record Attacked(Image input, Image output, long labelBefore, String classBefore, long labelAfter,
            String classAfter, double linfDistance) {
        boolean changed() {
            return labelBefore != labelAfter;
        }
    }

    private final Classifier f;
    private final RobustifyConfig cfg;
    private final Protector protector;
    private final Pgd attack;
    private final ThreatModel adversary;
    private final Operation<Robustified> robustify = operation("robustify", this::robustifyBatch);
    private final Operation<Classified> classify = operation("classify", this::classifyBatch);
    private final Operation<Attacked> attackOp = operation("attack", this::attackBatch);

    private final int minRows;

    /**
     * @param batchInvariant pad small batches to {@link #MIN_ROWS} so answers never depend on the batch; false
     *     computes exactly the images given (a benchmark's single-image baseline)
     */
    ProtectionService(Classifier f, RobustifyConfig cfg, int attackSteps, boolean batchInvariant) {
        this.f = f;
        this.minRows = batchInvariant ? MIN_ROWS : 1;
        this.cfg = cfg;
        this.protector = Protector.builder(f, Robustifier.of(cfg)).build();
        this.adversary = cfg.adversary();
        this.attack = Pgd.builder().setThreat(adversary).optSteps(attackSteps).optSeed(cfg.seed()).build();
    }

    /** @return the classifier served */
    Classifier classifier() {
        return f;
    }

    /** @return the robustification settings */
    RobustifyConfig config() {
        return cfg;
    }

    Operation<Robustified> robustify() {
        return robustify;
    }

    Operation<Classified> classify() {
        return classify;
    }

    Operation<Attacked> attack() {
        return attackOp;
    }

    /** @return the images, followed by copies of the first up to {@code minRows} */
    private List<Image> padded(List<Image> images) {
        if (images.size() >= minRows) {
            return images;
        }
        List<Image> out = new ArrayList<>(images);
        while (out.size() < minRows) {
            out.add(images.get(0));
        }
        return out;
    }

    private List<Robustified> robustifyBatch(List<Image> images) {
        List<Image> rows = padded(images);
        List<Protector.Protected> done = protector.protect(rows, Collections.nCopies(rows.size(), "upload"), null);
        List<Robustified> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(new Robustified(images.get(i), done.get(i).image(), done.get(i).verdict()));
        }
        return out;
    }

    private List<Classified> classifyBatch(List<Image> images) {
        return onBatch(images, (server, x) -> {
            float[] p = server.logits(x).softmax(1).toFloatArray();
            long[] labels = server.predict(x).toLongArray();
            int k = f.numClasses();
            List<Classified> out = new ArrayList<>(labels.length);
            for (int i = 0; i < images.size(); i++) {
                float[] row = new float[k];
                System.arraycopy(p, i * k, row, 0, k);
                out.add(new Classified(labels[i], f.classes().get((int) labels[i]), row));
            }
            return out;
        });
    }

    private List<Attacked> attackBatch(List<Image> images) {
        return onBatch(images, (server, x) -> {
            NDArray y = server.predict(x);
            long[] before = y.toLongArray();
            AttackResult r = attack.perturb(server, x, y);
            NDArray adv = Quantizer.quantize(x, r.adversarial(), adversary);
            long[] after = server.predict(adv).toLongArray();
            float[] linf = adversary.distance(adv, x).toFloatArray();
            List<Attacked> out = new ArrayList<>(before.length);
            for (int i = 0; i < images.size(); i++) {
                out.add(new Attacked(images.get(i), Image.fromNDArray(adv.get(i)), before[i],
                        f.classes().get((int) before[i]), after[i], f.classes().get((int) after[i]), linf[i]));
            }
            return out;
        });
    }

    /**
     * Runs {@code body} on the (padded) batch as one 8-bit N×C×H×W tensor with the server's view of photos of its
     * size, on the compute thread, freeing every array; {@code body} answers the first {@code images.size()} rows.
     */
    private <R> List<R> onBatch(List<Image> images, BiFunction<PipelineClassifier, NDArray, List<R>> body) {
        PipelineClassifier server = protector.serverView(images.get(0).height(), images.get(0).width());
        return PreemptEngine.call(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                List<NDArray> parts = new ArrayList<>(minRows);
                for (Image img : padded(images)) {
                    parts.add(img.toNDArray(m));
                }
                return body.apply(server, Quantizer.to8bit(NDArrays.concat(new NDList(parts))));
            }
        });
    }

    private static <R> Operation<R> operation(String name, Function<List<Image>, List<R>> run) {
        return new Operation<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<R> run(List<Image> images) {
                return run.apply(images);
            }
        };
    }
}
