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
import ai.preempt.eval.Preemption;
import ai.preempt.io.AtomicFiles;
import ai.preempt.io.Progress;
import ai.preempt.model.Losses;
import ai.preempt.model.ModelCard;
import ai.preempt.model.ModelException;
import ai.preempt.model.NativeClassifier;
import ai.preempt.report.EvalReport;
import ai.preempt.threat.ThreatModel;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a native classifier with one of the {@link Method}s, checkpointing after every epoch (and, with
 * {@link TrainConfig#checkpointBatches()}, every so many batches) so that a killed run continues with
 * {@code resume} exactly where the last checkpoint left it: the same weights, bit for bit, as a run that was
 * never interrupted, because each epoch's shuffling and each batch's augmentation and attacks draw from streams
 * determined by the seed, the epoch and the batch number alone.
 *
 * <p>Layout of the output directory: {@code model.params} + {@code card.json} (the kept model),
 * {@code train.log.jsonl} (one line per validated epoch), {@code checkpoint/last/} (weights, momentum, best
 * weights, state; replaced as a whole by a directory rename, with the previous one kept as
 * {@code checkpoint/prev/} until the new one is in place).
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

    /**
     * Saved at every checkpoint.
     *
     * @param epochsDone finished epochs
     * @param batchesDone finished batches of the epoch in progress
     * @param epochLoss summed training loss of those batches
     * @param epochCorrect their correctly classified training points
     * @param epochSeconds their wall time
     * @param history one map per finished epoch (epoch 0: the initial weights, when fine-tuning)
     */
    record State(int epochsDone, int batchesDone, double epochLoss, long epochCorrect, double epochSeconds,
            int bestEpoch, double bestScore, double wallSeconds, long imagesSeen, TrainConfig config,
            List<Map<String, Object>> history) {}

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
        // the held-out images come from the training split (seeded), never from the test split
        LabeledImages val = cfg.validation() > 0 ? shuffled.head(cfg.validation()) : null;
        LabeledImages train = shuffled.slice(cfg.validation(), shuffled.size());
        Files.createDirectories(out.resolve(CKPT));

        ModelCard card = new ModelCard(out.getFileName().toString(), cfg.arch(), null, ModelCard.CIFAR_MEAN,
                ModelCard.CIFAR_STD, List.of(data.imageShape()[0], data.imageShape()[1], data.imageShape()[2]),
                data.classes(), describe(), null, null, null);
        try (NativeClassifier model = NativeClassifier.create(card, cfg.seed())) {
            if (cfg.init() != null) {
                load(model, Path.of(cfg.init()));
            }
            return PreemptEngine.call(() -> run(model, train, val, resume));
        }
    }

    private String describe() {
        return switch (cfg.method()) {
            case STANDARD -> "Standard (non-robust) training";
            case ADV -> "Adversarial training " + ThreatModel.of(cfg.norm(), cfg.eps()).describe()
                    + (cfg.fast() ? " (FGSM from a random start)" : " (PGD-" + cfg.attackSteps() + ")");
            case PREEMPT -> "Preemptively robust training (Algorithm 2) " + ThreatModel.of(cfg.norm(), cfg.eps()).describe()
                    + (cfg.fast() ? " (single-step)" : " (x̂: PGD-" + cfg.robustSteps() + " toward the label, x_adv: PGD-"
                            + cfg.attackSteps() + ")");
            case GAUSSIAN -> "Gaussian noise augmentation, sigma " + cfg.sigma();
        };
    }

    private TrainResult run(NativeClassifier model, LabeledImages train, LabeledImages val, boolean resume)
            throws IOException {
        try (NDManager optManager = NDManager.newBaseManager("PyTorch")) {
            model.setTrainable(true);
            Sgd sgd = new Sgd(model.block().getParameters(), optManager, cfg.momentum(), cfg.weightDecay());
            model.setTrainable(false);
            Path ck = out.resolve(CKPT);
            State state = resume ? restore(model, sgd, optManager, ck) : null;
            if (state == null) {
                Files.deleteIfExists(ck.resolve(BEST)); // a fresh run must not inherit an earlier run's best weights
                state = new State(0, 0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY, 0, 0, cfg, new ArrayList<>());
            }
            TrainingPoints points = new TrainingPoints(cfg);
            List<LabeledImages.Range> ranges = train.batchRanges(cfg.batch());
            long totalBatches = (long) ranges.size() * cfg.epochs();
            progress.start("train " + cfg.method().id(), totalBatches);
            progress.advance((long) ranges.size() * state.epochsDone() + state.batchesDone(), null);
            List<Map<String, Object>> history = new ArrayList<>(state.history());
            if (cfg.init() != null && val != null && history.isEmpty()) {
                // epoch 0: the weights fine-tuning starts from, for the learning curve (never kept as the result)
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("epoch", 0);
                line.putAll(validate(model, val));
                history.add(line);
                log(line);
                state = new State(0, 0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY, 0, 0, cfg, history);
                checkpoint(model, sgd, ck, state);
            }
            double wall = state.wallSeconds();
            long seen = state.imagesSeen();
            int bestEpoch = state.bestEpoch();
            double bestScore = state.bestScore();
            int[] shape = train.imageShape();
            for (int epoch = state.epochsDone(); epoch < cfg.epochs(); epoch++) {
                long epochSeed = Rng.forKey(cfg.seed(), epoch + 1).nextLong();
                LabeledImages order = train.shuffled(epochSeed);
                boolean resumed = epoch == state.epochsDone();
                double lossSum = resumed ? state.epochLoss() : 0;
                long correct = resumed ? state.epochCorrect() : 0;
                double epochSeconds = resumed ? state.epochSeconds() : 0;
                int firstBatch = resumed ? state.batchesDone() : 0;
                long count = 0;
                for (int b = 0; b < firstBatch; b++) {
                    count += ranges.get(b).size();
                }
                long t0 = System.nanoTime();
                for (int b = firstBatch; b < ranges.size(); b++) {
                    LabeledImages.Range r = ranges.get(b);
                    double progressFraction = (epoch + (double) b / ranges.size()) / cfg.epochs();
                    double lr = cfg.schedule().rate(cfg.lr(), progressFraction);
                    // each batch's augmentation and attacks: a stream of (seed, epoch, batch) alone
                    Rng rng = Rng.forKey(epochSeed, b + 1);
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
                    if (cfg.checkpointBatches() > 0 && (b + 1) % cfg.checkpointBatches() == 0 && b + 1 < ranges.size()) {
                        double sec = epochSeconds + (System.nanoTime() - t0) / 1e9;
                        checkpoint(model, sgd, ck, new State(epoch, b + 1, lossSum, correct, sec, bestEpoch, bestScore,
                                wall, seen, cfg, history));
                    }
                    progress.advance(1, String.format("epoch %d/%d loss %.3f acc %.3f", epoch + 1, cfg.epochs(),
                            lossSum / count, (double) correct / count));
                }
                double seconds = epochSeconds + (System.nanoTime() - t0) / 1e9;
                wall += seconds;
                seen += count;
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("epoch", epoch + 1);
                line.put("lr_end", cfg.schedule().rate(cfg.lr(), (epoch + 1.0) / cfg.epochs()));
                line.put("train_loss", lossSum / count);
                line.put("train_accuracy", (double) correct / count);
                line.put("seconds", seconds);
                line.put("images_per_second", count / seconds);
                boolean validates = val != null && ((epoch + 1) % cfg.validateEvery() == 0 || epoch + 1 == cfg.epochs());
                double score = (double) correct / count;
                if (validates) {
                    long v0 = System.nanoTime();
                    Map<String, Object> v = validate(model, val);
                    line.putAll(v);
                    line.put("validation_seconds", (System.nanoTime() - v0) / 1e9);
                    score = (Double) v.get("score");
                }
                history.add(line);
                if (val == null || (validates && score > bestScore)) {
                    bestScore = score;
                    bestEpoch = epoch + 1;
                    AtomicFiles.write(ck.resolve("best.params"), model::saveParameters);
                }
                checkpoint(model, sgd, ck, new State(epoch + 1, 0, 0, 0, 0, bestEpoch, bestScore, wall, seen, cfg,
                        history));
                log(line);
            }
            progress.finish();
            // the kept model: best on validation (early stopping, Rice et al. 2020) or the last epoch
            try (InputStream in = new BufferedInputStream(Files.newInputStream(ck.resolve(LAST).resolve(BEST)))) {
                model.loadParameters(in);
            } catch (ai.djl.MalformedModelException e) {
                throw new ModelException("checkpoint " + ck.resolve(LAST).resolve(BEST) + " is damaged", e);
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

    private void log(Map<String, Object> line) throws IOException {
        Files.writeString(out.resolve("train.log.jsonl"),
                ModelCard.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(line) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Validation figures on the held-out training images: clean accuracy; for adv and preempt PGD-10 accuracy; for
     * preempt with {@link TrainConfig#robustifiedValidation()} also the robustified grey-box accuracy (under {@link
     * TrainConfig#robustifiedAttack()}, PGD-20 by default) of the
     * first that many, measured by {@link PreemptMetrics} (the path {@code preempt eval} takes: labels are the
     * model's predictions, as at deployment). "score" is what early stopping maximises: the last of these.
     */
    private Map<String, Object> validate(NativeClassifier model, LabeledImages val) {
        Map<String, Object> v = new LinkedHashMap<>();
        boolean robust = cfg.method() == Method.ADV || cfg.method() == Method.PREEMPT;
        Pgd pgd = robust ? Pgd.builder().setThreat(ThreatModel.of(cfg.norm(), cfg.eps())).optSteps(10)
                .optSeed(cfg.seed()).build() : null;
        long clean = 0;
        long rob = 0;
        for (LabeledImages.Range r : val.batchRanges(250)) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = val.images(m, r.from(), r.to());
                NDArray y = val.labels(m, r.from(), r.to());
                boolean[] okArr = model.predict(x).eq(y).toBooleanArray();
                for (boolean ok : okArr) {
                    clean += ok ? 1 : 0;
                }
                if (pgd != null) {
                    rob += pgd.perturb(model, x, y).robustCount(okArr);
                }
            }
        }
        double n = val.size();
        v.put("val_clean_accuracy", clean / n);
        double score = clean / n;
        if (robust) {
            v.put("val_pgd10_accuracy", rob / n);
            score = rob / n;
        }
        if (cfg.method() == Method.PREEMPT && cfg.robustifiedValidation() > 0) {
            String attack = cfg.robustifiedAttack();
            EvalReport.Row ours = PreemptMetrics.evaluate(model, val.head(cfg.robustifiedValidation()),
                    List.of(Preemption.OURS), PreemptMetrics.fastRobustify(cfg.norm(), cfg.eps(), cfg.seed()), attack)
                    .rows().get(0);
            v.put("val_robustified_n", ours.n());
            v.put("val_robustified_clean_accuracy", ours.clean());
            v.put(attack.equals("pgd") ? "val_robustified_pgd20_accuracy" : "val_robustified_" + attack + "_accuracy",
                    ours.greyBox().get(attack));
            v.put("val_robustified_lemma1", ours.lemma1());
            v.put("val_robustify_seconds_per_image", ours.secondsPerImage());
            score = ours.greyBox().get(attack);
        }
        v.put("score", score);
        return v;
    }

    private static final String LAST = "last";
    private static final String PREV = "prev";
    private static final String BEST = "best.params";

    /**
     * Writes weights, momentum, best weights and state into a fresh directory, then swaps it in for
     * {@code last/} by renames, so that a kill at any moment leaves a complete checkpoint in {@code last/} or
     * {@code prev/}.
     */
    private void checkpoint(NativeClassifier model, Sgd sgd, Path ck, State s) throws IOException {
        Path next = ck.resolve("next");
        deleteTree(next);
        Files.createDirectories(next);
        AtomicFiles.write(next.resolve("last.params"), model::saveParameters);
        AtomicFiles.write(next.resolve("momentum.ndlist"), o -> o.write(sgd.state().encode()));
        if (Files.exists(ck.resolve("best.params"))) {
            Files.copy(ck.resolve("best.params"), next.resolve(BEST));
        } else {
            // no validated epoch yet: the current weights stand in
            AtomicFiles.write(next.resolve(BEST), model::saveParameters);
        }
        AtomicFiles.write(next.resolve("state.json"), o -> ModelCard.JSON.writeValue(o, s));
        deleteTree(ck.resolve(PREV));
        if (Files.exists(ck.resolve(LAST))) {
            Files.move(ck.resolve(LAST), ck.resolve(PREV), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(next, ck.resolve(LAST), StandardCopyOption.ATOMIC_MOVE);
        deleteTree(ck.resolve(PREV));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void load(NativeClassifier model, Path params) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
            model.loadParameters(in);
        } catch (IOException | ai.djl.MalformedModelException | RuntimeException e) {
            throw new ModelException("cannot read the weights to start from, " + params + " (" + e.getMessage()
                    + "); is it a " + "model.params of the same architecture?", e);
        }
    }

    /** @return the state of the newest complete checkpoint, its weights and momentum loaded; null if none */
    private State restore(NativeClassifier model, Sgd sgd, NDManager m, Path ck) throws IOException {
        Path dir = Files.exists(ck.resolve(LAST).resolve("state.json")) ? ck.resolve(LAST)
                : Files.exists(ck.resolve(PREV).resolve("state.json")) ? ck.resolve(PREV) : null;
        if (dir == null) {
            return null;
        }
        State s;
        try {
            s = ModelCard.JSON.readValue(dir.resolve("state.json").toFile(), new TypeReference<State>() {});
        } catch (IOException e) {
            throw new ModelException("cannot read checkpoint " + dir.resolve("state.json") + ": " + e.getMessage(), e);
        }
        if (s.config() == null || !cfg.withCheckpointBatches(0).equals(s.config().withCheckpointBatches(0))) {
            throw new IllegalArgumentException("the checkpoint in " + ck + " was made with different settings ("
                    + s.config() + "); use the same flags or another --out");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve("last.params")))) {
            model.loadParameters(in);
            model.setTrainable(true);
            byte[] mom = Files.readAllBytes(dir.resolve("momentum.ndlist"));
            sgd.restore(NDList.decode(m, mom));
            model.setTrainable(false);
            Files.copy(dir.resolve(BEST), ck.resolve("best.params"), StandardCopyOption.REPLACE_EXISTING);
        } catch (ai.djl.MalformedModelException | RuntimeException e) {
            throw new ModelException("checkpoint in " + dir + " is damaged (" + e.getMessage() + "); delete it to start over", e);
        }
        return s;
    }

}
