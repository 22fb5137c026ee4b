package ai.preempt.cli;

import ai.preempt.threat.Budget;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import picocli.CommandLine.Option;

/** {@code --norm} and {@code --eps}. */
final class ThreatOptions {

    @Option(names = "--norm", defaultValue = "linf", description = "linf or l2 (default: ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", paramLabel = "EPS",
            description = "Budget in pixel scale, e.g. 8/255 or 0.0314 (default: 8/255 for linf, 0.5 for l2).")
    String eps;

    ThreatModel threat() {
        Norm n = Norm.parse(norm);
        return ThreatModel.of(n, eps(n, eps));
    }

    /** @return the --eps value {@code eps} in pixel scale, or the norm's default budget when it is null */
    static double eps(Norm n, String eps) {
        return eps == null ? (n == Norm.LINF ? 8 / 255.0 : 0.5) : Budget.parse(eps, "--eps");
    }
}
