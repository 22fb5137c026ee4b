package ai.preempt.protect;

import java.util.List;

/**
 * Everything a user needs to know about one protected photo; the one verdict type shared by the CLI
 * report, the HTTP service and the batch job. Labels, the robust loss, Lemma 1 and the attacks are what the
 * server sees: the photo after its preprocessing {@code pipeline}; distances and image quality are measured on
 * the photo at its own size.
 *
 * @param name the image's name (file name or dataset index)
 * @param labelBefore the classifier's label for the original
 * @param classBefore its class name
 * @param labelAfter the classifier's label for the protected (written) image
 * @param classAfter its class name
 * @param protectedLabel the label robustification protected (the true label when given, else ŷ)
 * @param robustLoss the robust loss CE(f(PGD_K(x)), ŷ) of the written image, averaged over m inner starts
 * @param meetsLemma1 robust loss ≤ log 2, which guarantees that the inner attack's end points keep the label
 * @param linfDistance ‖x − x_o‖∞ in pixel scale (× 255 gives intensity levels)
 * @param l2Distance ‖x − x_o‖₂
 * @param psnr peak signal-to-noise ratio, dB
 * @param ssim structural similarity
 * @param passes forward+backward passes spent
 * @param outerSteps outer steps taken (T, or fewer when fast mode let the image exit early)
 * @param trueLabel the true label when known (datasets), else -1
 * @param attackedOriginal the label of the original after the check attack (PGD-20 in the adversary's
 *     budget), or -1 when no check ran
 * @param attackedProtected the label of the protected image after the same attack, or -1
 * @param height the photo's height (the written PNG's)
 * @param width the photo's width
 * @param pipeline the server's preprocessing the verdict assumes ({@code none} for the identity)
 * @param robustifiedThrough the pipelines robustification optimised through: {@code pipeline}, or with
 *     {@code --survive jpeg:q} both it and it after the re-encode, joined by {@code " and "}
 * @param jpeg what happens when the server re-encodes the protected photo as JPEG, one entry per quality
 */
public record Verdict(String name, long labelBefore, String classBefore, long labelAfter, String classAfter,
        long protectedLabel, double robustLoss, boolean meetsLemma1, double linfDistance, double l2Distance,
        double psnr, double ssim, long passes, int outerSteps, int trueLabel, long attackedOriginal, long attackedProtected,
        int height, int width, String pipeline, String robustifiedThrough, List<JpegSurvival> jpeg) {

    /**
     * The protected photo after the server re-encodes it as JPEG at {@code quality}, then preprocesses it.
     *
     * @param quality q
     * @param label the label the server sees
     * @param className its class name
     * @param attacked the label after the check attack on the protected photo, the server re-encoding what the
     *     attacker sends (BPDA gradients through the codec), or -1 when no check ran
     */
    public record JpegSurvival(int quality, long label, String className, long attacked) {}
}
