package ai.preempt.train;

import ai.preempt.attack.Attack;
import ai.preempt.attack.NamedAttacks;
import ai.preempt.data.LabeledImages;
import ai.preempt.eval.Preemption;
import ai.preempt.eval.PreemptionEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.model.ModelCard;
import ai.preempt.report.EvalReport;
import ai.preempt.robustify.FastMode;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Accuracy of a model without and with preemptive robustification, measured by {@link PreemptionEvaluation}, the
 * code {@code preempt eval} runs (8-bit robustified images, grey-box PGD-20 with step ε/4 and one seeded random
 * start, batches of {@value #BATCH} as its default, so the figures equal those of
 * {@code preempt eval --n N --seed S --fast --no-white-box} on the same images). Training's early stopping and the
 * model card both take their figures from here, never from copies.
 */
public final class PreemptMetrics {

    /** {@code preempt eval}'s default batch size; per-batch seeding makes results depend on it. */
    public static final int BATCH = 50;

    private PreemptMetrics() {}

    /** @return Algorithm 1's defaults in fast mode (what validation and the card robustify with) */
    public static RobustifyConfig fastRobustify(Norm norm, double eps, long seed) {
        return RobustifyConfig.builder(norm, eps).optFast(FastMode.DEFAULT).optSeed(seed).build();
    }

    /**
     * @param f the classifier (evaluation mode)
     * @param data labelled images
     * @param rows which preemptions to measure
     * @param cfg robustification settings; its seed also seeds the attack, as in {@code preempt eval}
     * @return the evaluation's report (grey-box columns only; attack name "pgd")
     */
    public static EvalReport evaluate(Classifier f, LabeledImages data, List<Preemption> rows, RobustifyConfig cfg) {
        return evaluate(f, data, rows, cfg, "pgd");
    }

    /**
     * As {@link #evaluate(Classifier, LabeledImages, List, RobustifyConfig)} with another grey-box attack.
     *
     * @param attack a {@link NamedAttacks} name, seeded with the configuration's seed; the report's column
     */
    public static EvalReport evaluate(Classifier f, LabeledImages data, List<Preemption> rows, RobustifyConfig cfg,
            String attack) {
        Map<String, Function<ThreatModel, Attack>> attacks = NamedAttacks.parse(attack, cfg.seed());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("n", data.size());
        config.put("robustify", cfg);
        return PreemptionEvaluation.builder().setConfig(cfg).setAttacks(attacks).optWhiteBox(false).optBatch(BATCH).build()
                .run(f, data, rows, config);
    }

    /**
     * @param card the card to extend
     * @param report a report of {@link #evaluate}
     * @param subsetSeed the seed of the test subset
     * @return the card with the report's figures: {@code preempt_eval} = {n, seed, robustify, and per row clean,
     *     grey-box PGD-20 (and for Ours Lemma 1, the mean robust loss and the seconds per image)}
     */
    public static ModelCard withMetrics(ModelCard card, EvalReport report, long subsetSeed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", report.rows().get(0).n());
        m.put("seed", subsetSeed);
        m.put("robustify", report.config().get("robustify"));
        for (EvalReport.Row r : report.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("clean_accuracy", r.clean());
            row.put("greybox_pgd20_accuracy", r.greyBox().get("pgd"));
            if (!Double.isNaN(r.lemma1())) {
                row.put("lemma1", r.lemma1());
                row.put("mean_robust_loss", report.images().stream().filter(i -> i.preemption().equals(r.preemption()))
                        .mapToDouble(EvalReport.ImageRow::robustLoss).average().orElse(Double.NaN));
                row.put("seconds_per_image", r.secondsPerImage());
            }
            m.put(r.preemption().toLowerCase(java.util.Locale.ROOT), row);
        }
        return card.withMetric("preempt_eval", m);
    }
}
