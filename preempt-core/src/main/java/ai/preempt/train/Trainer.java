package ai.preempt.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.preempt.attack.Pgd;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.io.AtomicFiles;
import ai.preempt.io.Progress;
import ai.preempt.model.Losses;
import ai.preempt.model.ModelCard;
import ai.preempt.model.ModelException;
import ai.preempt.model.NativeClassifier;
import ai.preempt.threat.ThreatModel;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a native classifier with one of the {@link Method}s, checkpointing after every epoch so that a
 * killed run continues with {@code resume} exactly where the last finished epoch left it (the same
 * weights, bit for bit, as a run that was never interrupted: each epoch's shuffling, augmentation and
 * attacks draw from a stream determined by the seed and the epoch number alone).
 *
 * <p>Layout of the output directory: {@code model.params} + {@code card.json} (the kept model),
 * {@code train.log.jsonl} (one line per epoch), {@code checkpoint/} (last weights, momentum, state, best weights).
 */
public final class Trainer {

    private static final String CKPT = "checkpoint";
    private final TrainConfig cfg;
    private final Path out;
    private final Progress progress;

    /**
     * @param cfg the run's configuration
     * @param out output directory
     * @param progress where to report batches done
     */
    public Trainer(TrainConfig cfg, Path out, Progress progress) {
        this.cfg = cfg;
        this.out = out;
        this.progress = progress;
    }

    /** Saved between epochs. */
    record State(int epochsDone, int bestEpoch, double bestScore, double wallSeconds, long imagesSeen,
            TrainConfig config, List<Map<String, Object>> history) {}

    /**
     * Trains on {@code data} (the CIFAR-10 training split, say).
     *
     * @param resume continue from {@code out/checkpoint} if it exists
     */
    public TrainResult train(LabeledImages data, boolean resume) throws IOException {
        LabeledImages shuffled = data.shuffled(cfg.seed());
        if (cfg.trainLimit() > 0) {
            shuffled = shuffled.head(Math.min(cfg.trainLimit() + cfg.validation(), shuffled.size()));
        }
        if (cfg.validation() >= shuffled.size()) {
            throw new IllegalArgumentException("--validation " + cfg.validation() + " leaves no training images");
        }
        LabeledImages val = cfg.validation() > 0 ? shuffled.head(cfg.validation()) : null;
        LabeledImages train = shuffled.slice(cfg.validation(), shuffled.size());
        Files.createDirectories(out.resolve(CKPT));

        ModelCard card = new ModelCard(out.getFileName().toString(), cfg.arch(), null, ModelCard.CIFAR_MEAN,
                ModelCard.CIFAR_STD, List.of(data.imageShape()[0], data.imageShape()[1], data.imageShape()[2]),
                data.classes(), describe(), null, null, null);
        try (NativeClassifier model = NativeClassifier.create(card, cfg.seed())) {
            return PreemptEngine.call(() -> run(model, train, val, resume));
        }
    }

    private String describe() {
        return switch (cfg.method()) {
            case STANDARD -> "Standard (non-robust) training";
            case ADV -> "Adversarial training " + ThreatModel.of(cfg.norm(), cfg.eps()).describe()
                    + (cfg.fast() ? " (FGSM from a random start)" : " (PGD-" + cfg.attackSteps() + ")");
            case PREEMPT -> "Preemptively robust training (Algorithm 2) " + ThreatModel.of(cfg.norm(), cfg.eps()).describe();
            case GAUSSIAN -> "Gaussian noise augmentation, sigma " + cfg.sigma();
        };
    }

    private TrainResult run(NativeClassifier model, LabeledImages train, LabeledImages val, boolean resume)
            throws IOException {
        try (NDManager optManager = NDManager.newBaseManager("PyTorch")) {
            model.setTrainable(true);
            Sgd sgd = new Sgd(model.block().getParameters(), optManager, cfg.momentum(), cfg.weightDecay());
            model.setTrainable(false);
            State state = new State(0, 0, Double.NEGATIVE_INFINITY, 0, 0, cfg, new ArrayList<>());
            Path ck = out.resolve(CKPT);
            if (resume && Files.exists(ck.resolve("state.json"))) {
                state = restore(model, sgd, optManager, ck);
            }
            TrainingPoints points = new TrainingPoints(cfg);
            List<LabeledImages.Range> ranges = train.batchRanges(cfg.batch());
            long totalBatches = (long) ranges.size() * cfg.epochs();
            progress.start("train " + cfg.method().id(), totalBatches);
            progress.advance((long) ranges.size() * state.epochsDone(), null);
            double wall = state.wallSeconds();
            long seen = state.imagesSeen();
            List<Map<String, Object>> history = new ArrayList<>(state.history());
            int bestEpoch = state.bestEpoch();
            double bestScore = state.bestScore();
            int[] shape = train.imageShape();
            for (int epoch = state.epochsDone(); epoch < cfg.epochs(); epoch++) {
                long t0 = System.nanoTime();
                Rng rng = Rng.forKey(cfg.seed(), epoch + 1);
                LabeledImages order = train.shuffled(rng.nextLong());
                double lossSum = 0;
                long correct = 0;
                long count = 0;
                for (int b = 0; b < ranges.size(); b++) {
                    LabeledImages.Range r = ranges.get(b);
                    double progressFraction = (epoch + (double) b / ranges.size()) / cfg.epochs();
                    double lr = cfg.schedule().rate(cfg.lr(), progressFraction);
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray x = order.images(optManager, r.from(), r.to());
                        float[] pix = x.toFloatArray();
                        Augment.cropAndFlip(pix, r.size(), shape[0], shape[1], shape[2], rng);
                        x = optManager.create(pix, x.getShape());
                        NDArray y = order.labels(optManager, r.from(), r.to());
                        NDArray input = points.make(model, x, y, rng);
                        model.setTrainable(true);
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray logits = model.forward(input, true);
                            NDArray loss = Losses.crossEntropy(logits, y).mean();
                            ai.preempt.engine.Gradients.stressPoint();
                            gc.backward(loss);
                            lossSum += loss.getFloat() * r.size();
                            correct += logits.argMax(1).eq(y).sum().getLong();
                        }
                        sgd.step(lr);
                        model.setTrainable(false);
                    }
                    count += r.size();
                    progress.advance(1, String.format("epoch %d/%d loss %.3f acc %.3f", epoch + 1, cfg.epochs(),
                            lossSum / count, (double) correct / count));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                wall += seconds;
                seen += count;
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("epoch", epoch + 1);
                line.put("lr_end", cfg.schedule().rate(cfg.lr(), (epoch + 1.0) / cfg.epochs()));
                line.put("train_loss", lossSum / count);
                line.put("train_accuracy", (double) correct / count);
                line.put("seconds", seconds);
                line.put("images_per_second", count / seconds);
                double score = (double) correct / count;
                if (val != null) {
                    double[] v = validate(model, val, points);
                    line.put("val_clean_accuracy", v[0]);
                    score = v[0];
                    if (v.length > 1) {
                        line.put("val_pgd10_accuracy", v[1]);
                        score = v[1];
                    }
                    if (v.length > 2) {
                        // early stopping for Algorithm 2 on what it trains for: robustness after the first step
                        line.put("val_preempt_pgd10_accuracy", v[2]);
                        score = v[2];
                    }
                }
                history.add(line);
                boolean best = val == null || score > bestScore;
                if (best) {
                    bestScore = score;
                    bestEpoch = epoch + 1;
                    AtomicFiles.write(ck.resolve("best.params"), model::saveParameters);
                }
                AtomicFiles.write(ck.resolve("last.params"), model::saveParameters);
                AtomicFiles.write(ck.resolve("momentum.ndlist"), o -> o.write(sgd.state().encode()));
                State s = new State(epoch + 1, bestEpoch, bestScore, wall, seen, cfg, history);
                AtomicFiles.write(ck.resolve("state.json"), o -> ModelCard.JSON.writeValue(o, s));
                Files.writeString(out.resolve("train.log.jsonl"),
                        ModelCard.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(line) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            progress.finish();
            // the kept model: best on validation (early stopping, Rice et al. 2020) or the last epoch
            try (InputStream in = new BufferedInputStream(Files.newInputStream(ck.resolve("best.params")))) {
                model.loadParameters(in);
            } catch (ai.djl.MalformedModelException e) {
                throw new ModelException("checkpoint " + ck.resolve("best.params") + " is damaged", e);
            }
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("method", cfg.method().id());
            training.put("config", cfg);
            training.put("epochs", cfg.epochs());
            training.put("kept_epoch", bestEpoch);
            training.put("wall_seconds", Math.round(wall));
            training.put("images_per_second", Math.round(seen / Math.max(wall, 1e-9)));
            training.put("history", history);
            ModelCard card = model.card().withTraining(training, null);
            model.save(out, card);
            return new TrainResult(out, bestEpoch, history, wall, seen / Math.max(wall, 1e-9));
        }
    }

    /**
     * @return {clean accuracy}, for adv {clean, PGD-10 accuracy}, for preempt {clean, PGD-10 accuracy, PGD-10
     *     accuracy after Algorithm 2's first step} on the validation images. The last is what a preemptively
     *     robust model is for: the image is first moved toward a robust point (with the model's predicted
     *     label, as at deployment, where the true label is unknown), then attacked.
     */
    private double[] validate(NativeClassifier model, LabeledImages val, TrainingPoints points) {
        boolean robust = cfg.method() == Method.ADV || cfg.method() == Method.PREEMPT;
        boolean preempt = cfg.method() == Method.PREEMPT;
        Pgd pgd = robust ? Pgd.builder().setThreat(ThreatModel.of(cfg.norm(), cfg.eps())).optSteps(10)
                .optSeed(cfg.seed()).build() : null;
        Rng rng = new Rng(cfg.seed());
        long clean = 0;
        long rob = 0;
        long robPreempt = 0;
        for (LabeledImages.Range r : val.batchRanges(250)) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = val.images(m, r.from(), r.to());
                NDArray y = val.labels(m, r.from(), r.to());
                NDArray pred = model.predict(x);
                boolean[] okArr = pred.eq(y).toBooleanArray();
                for (boolean ok : okArr) {
                    clean += ok ? 1 : 0;
                }
                if (pgd != null) {
                    rob += pgd.perturb(model, x, y).robustCount(okArr);
                }
                if (preempt) {
                    NDArray moved = points.towardRobust(model, x, pred, rng);
                    boolean[] okMoved = model.predict(moved).eq(y).toBooleanArray();
                    robPreempt += pgd.perturb(model, moved, y).robustCount(okMoved);
                }
            }
        }
        double n = val.size();
        return preempt ? new double[] {clean / n, rob / n, robPreempt / n}
                : robust ? new double[] {clean / n, rob / n} : new double[] {clean / n};
    }

    private State restore(NativeClassifier model, Sgd sgd, NDManager m, Path ck) throws IOException {
        State s;
        try {
            s = ModelCard.JSON.readValue(ck.resolve("state.json").toFile(), new TypeReference<State>() {});
        } catch (IOException e) {
            throw new ModelException("cannot read checkpoint " + ck.resolve("state.json") + ": " + e.getMessage(), e);
        }
        if (!cfg.equals(s.config())) {
            throw new IllegalArgumentException("the checkpoint in " + ck + " was made with different settings ("
                    + s.config() + "); use the same flags or another --out");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(ck.resolve("last.params")))) {
            model.loadParameters(in);
            model.setTrainable(true);
            byte[] mom = Files.readAllBytes(ck.resolve("momentum.ndlist"));
            sgd.restore(NDList.decode(m, mom));
            model.setTrainable(false);
        } catch (ai.djl.MalformedModelException | RuntimeException e) {
            throw new ModelException("checkpoint in " + ck + " is damaged (" + e.getMessage() + "); delete it to start over", e);
        }
        return s;
    }

}
