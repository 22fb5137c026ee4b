package ai.preempt.protect;

/**
 * Everything a user needs to know about one protected image; the one verdict type shared by the CLI
 * report, the HTTP service and the batch job.
 *
 * @param name the image's name (file name or dataset index)
 * @param labelBefore the classifier's label for the original
 * @param classBefore its class name
 * @param labelAfter the classifier's label for the protected (written) image
 * @param classAfter its class name
 * @param protectedLabel the label robustification protected (ŷ, or the given label)
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
 */
public record Verdict(String name, long labelBefore, String classBefore, long labelAfter, String classAfter,
        long protectedLabel, double robustLoss, boolean meetsLemma1, double linfDistance, double l2Distance,
        double psnr, double ssim, long passes, int outerSteps, int trueLabel, long attackedOriginal, long attackedProtected) {}
