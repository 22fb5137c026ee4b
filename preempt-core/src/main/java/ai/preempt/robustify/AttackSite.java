package ai.preempt.robustify;

import ai.preempt.model.Classifier;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.pipeline.ServerViews;
import ai.preempt.threat.ThreatModel;
import java.util.List;

/**
 * Where an attack on x_s runs: on x_s itself, or, for a {@link PipelineClassifier}, after the pipeline's
 * linear prefix P (resize, crop) on P(x_s), in the ball grown by P's gain g, with the step grown alike. That
 * attacker is at least as strong as the one on the photo (P maps the photo's ball B_ε(x_s) into
 * B_{gε}(P(x_s)); see {@link PipelineClassifier}) and much cheaper for a large photo. Robustification's inner
 * attack runs here, and so do the fast modes' exit checks: an image that no attack in the larger ball fools
 * is not fooled by any attack in the photo's ball either, so the exit stays honest while a 256×256 photo's
 * check costs a 32×32 attack plus one resize.
 *
 * @param front maps x_s to where the attack starts (differentiable, linear)
 * @param classifier what the attack attacks there
 * @param threat its ball
 * @param alpha its step size
 */
record AttackSite(Pipeline front, Classifier classifier, ThreatModel threat, double alpha) {

    /**
     * @param f the classifier x_s is judged by (a single view)
     * @param threat the attacker's ball on x_s
     * @param alpha the attacker's step size on x_s
     */
    static AttackSite of(Classifier f, ThreatModel threat, double alpha) {
        if (f instanceof PipelineClassifier p) {
            PipelineClassifier.InnerView iv = p.innerView(threat.norm());
            return new AttackSite(iv.front(), iv.classifier(), threat.withEps(threat.eps() * iv.gain()),
                    alpha * iv.gain());
        }
        return new AttackSite(Pipeline.identity(), f, threat, alpha);
    }

    /** @return one site per view of {@code f} ({@link ServerViews}), in order; one for a plain classifier */
    static List<AttackSite> each(Classifier f, ThreatModel threat, double alpha) {
        return ServerViews.viewsOf(f).stream().map(v -> of(v, threat, alpha)).toList();
    }
}
