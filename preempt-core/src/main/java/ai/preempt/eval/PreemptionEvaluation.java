package ai.preempt.eval;

import ai.preempt.attack.Attack;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.Progress;
import ai.preempt.model.Classifier;
import ai.preempt.report.EvalReport;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.ThreatModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The paper's evaluation protocol (Tables 1–2): for each preemption (None, Ours) the clean accuracy of
 * x_s, grey-box accuracy (the attack sees x_s only), and white-box accuracy (the adaptive attack of
 * Algorithms 3–4, judged against the true original, worst case over ε'). With None, white-box = grey-box.
 *
 * <p>This class runs the batches and keeps the resumable state; {@link BatchEvaluation} judges one batch and
 * {@link RowAggregation} turns a row's batches into the table row.
 */
public final class PreemptionEvaluation {

    private final Map<String, Function<ThreatModel, Attack>> attacks;
    private final boolean whiteBox;
    private final int batch;
    private final Progress progress;
    private final Path stateFile;
    private final BatchEvaluation batches;

    private PreemptionEvaluation(Builder b) {
        this.attacks = b.attacks;
        this.whiteBox = b.whiteBox;
        this.batch = b.batch;
        this.progress = b.progress;
        this.stateFile = b.stateFile;
        this.batches = new BatchEvaluation(b.cfg, b.quantize, b.attacks, b.whiteBox);
    }

    /** @return a builder; {@link Builder#setConfig} and {@link Builder#setAttacks} are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param f the classifier, evaluated, attacked and robustified against
     * @param data labelled test images
     * @param preemptions rows to produce
     * @param config options to record (and, with a state file, the run's identity)
     */
    public EvalReport run(Classifier f, LabeledImages data, List<Preemption> preemptions,
            Map<String, Object> config) {
        return run(f, f, data, preemptions, config);
    }

    /**
     * As {@link #run(Classifier, LabeledImages, List, Map)}, robustifying (and reconstructing) with a different
     * view of the model than the one that is evaluated and attacked; for smoothed classifiers the paper
     * robustifies with 5 noise samples per pass and evaluates with 50.
     *
     * <p>With a state file, every finished (batch, preemption) is saved and those it already holds are skipped,
     * so that an interrupted run resumes where it stopped and ends with the same report (every random choice is
     * seeded per batch).
     *
     * @param robustifyWith the classifier Algorithms 1 and 3 optimise against
     * @throws IllegalArgumentException when the state file belongs to another run
     */
    public EvalReport run(Classifier f, Classifier robustifyWith, LabeledImages data, List<Preemption> preemptions,
            Map<String, Object> config) {
        EvalState state = EvalState.resume(stateFile, EvalState.identity(f.name(), batch, config));
        progress.start("evaluate", (long) data.size() * preemptions.size());
        for (LabeledImages.Range r : data.batchRanges(batch)) {
            for (Preemption p : preemptions) {
                EvalState.BatchResult done = state.find(p.title(), r.from());
                if (done == null) {
                    done = PreemptEngine.call(() -> batches.evaluate(f, robustifyWith, data, r, p));
                    state = state.with(done);
                    state.save(stateFile);
                }
                long clean = done.images().stream().filter(i -> i.prediction() == i.label()).count();
                progress.advance(r.size(), p.title() + " batch clean "
                        + String.format(Locale.ROOT, "%.3f", (double) clean / r.size()));
            }
        }
        progress.finish();
        List<EvalReport.ImageRow> images = new ArrayList<>();
        List<EvalReport.Row> rows = new ArrayList<>();
        for (Preemption p : preemptions) {
            List<EvalState.BatchResult> parts = state.batches().stream()
                    .filter(b -> b.preemption().equals(p.title())).toList();
            parts.forEach(b -> images.addAll(b.images()));
            rows.add(RowAggregation.row(f.name(), p, parts, attacks.keySet(), whiteBox));
        }
        return new EvalReport(config, rows, images);
    }

    /**
     * Builder: 8-bit evaluated images, white-box columns on, batches of 50, no progress, no state file.
     */
    public static final class Builder {
        private RobustifyConfig cfg;
        private Map<String, Function<ThreatModel, Attack>> attacks;
        private boolean quantize = true;
        private boolean whiteBox = true;
        private int batch = 50;
        private Progress progress = Progress.NONE;
        private Path stateFile;

        private Builder() {}

        /** Required: robustification settings (their ε is the adversary's budget). */
        public Builder setConfig(RobustifyConfig v) { cfg = v; return this; }

        /** Required: attack name → the attack for a budget (e.g. "pgd" → PGD-20 with step ε'/4), in column order. */
        public Builder setAttacks(Map<String, Function<ThreatModel, Attack>> v) {
            attacks = v == null ? null : new LinkedHashMap<>(v);
            return this;
        }

        /** Evaluate the 8-bit images that would be written (default true) rather than the float ones. */
        public Builder optQuantize(boolean v) { quantize = v; return this; }

        /**
         * Run the white-box columns (default true); false skips Algorithms 3–4 (the columns read "–"): the
         * grey-box table at a fraction of the cost, for large subsets.
         */
        public Builder optWhiteBox(boolean v) { whiteBox = v; return this; }

        /** Batch size (default 50). */
        public Builder optBatch(int v) { batch = v; return this; }

        /** Reports images done (default none). */
        public Builder optProgress(Progress v) { progress = v; return this; }

        /** Save every finished batch here and resume from it (default none). */
        public Builder optStateFile(Path v) { stateFile = v; return this; }

        /** @return the evaluation */
        public PreemptionEvaluation build() {
            if (cfg == null) {
                throw new IllegalArgumentException("the evaluation needs robustification settings");
            }
            if (attacks == null || attacks.isEmpty()) {
                throw new IllegalArgumentException("the evaluation needs at least one attack");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("the batch size must be at least 1, got " + batch);
            }
            if (progress == null) {
                throw new IllegalArgumentException("progress is null; use Progress.NONE");
            }
            return new PreemptionEvaluation(this);
        }
    }
}
