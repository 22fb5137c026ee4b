package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.Progress;
import ai.preempt.model.LinearClassifier;
import ai.preempt.report.CertifiedAccuracyPlot;
import ai.preempt.report.CertifyReport;
import ai.preempt.smoothing.SmoothedClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

class CertificationTest {

    private static CertifyReport.CertifiedImage image(int label, int prediction, double radius) {
        return new CertifyReport.CertifiedImage(0, label, prediction, radius, 0.9, 90, label == prediction, 0);
    }

    @Test
    void certifiedAccuracyCountsCorrectImagesWithRadiusAtLeastR() {
        List<CertifyReport.CertifiedImage> r = List.of(image(1, 1, 0.3), image(2, 2, 0.6), image(3, 4, 0.9),
                image(5, -1, 0));
        assertThat(CertifyReport.accuracyAt(r, 0)).isEqualTo(0.5);
        assertThat(CertifyReport.accuracyAt(r, 0.3)).isEqualTo(0.5);
        assertThat(CertifyReport.accuracyAt(r, 0.5)).isEqualTo(0.25);
        assertThat(CertifyReport.accuracyAt(r, 0.7)).isZero();
    }

    @Test
    void certifyOnABatchReportsEachImageAndTheSummaryTable(@TempDir Path dir) throws Exception {
        CertifyReport report = PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                // always class 1 of 2: every image certified with the closed-form radius, correct iff label 1
                LinearClassifier f = new LinearClassifier(m, new float[2][12], new float[] {0f, 5f},
                        new Shape(3, 2, 2));
                SmoothedClassifier g = SmoothedClassifier.builder().setBase(f).setSigma(0.25).optN0(10).optN(1000)
                        .build();
                NDArray x = m.zeros(new Shape(3, 3, 2, 2));
                List<CertifyReport.CertifiedImage> r = Certification.certify(g, x, new int[] {1, 0, 1},
                        new int[] {10, 11, 12}, Progress.NONE);
                return Certification.report(g, Certification.DEFAULT_RADII, Map.of(), r, 1);
            }
        });
        List<CertifyReport.CertifiedImage> results = report.images();
        assertThat(results).extracting(CertifyReport.CertifiedImage::index).containsExactly(10, 11, 12);
        assertThat(results).extracting(CertifyReport.CertifiedImage::correct).containsExactly(true, false, true);
        // 0.25 · Φ⁻¹(0.001^(1/1000)) = 0.6158…
        assertThat(results.get(0).radius()).isBetween(0.6158, 0.6159);
        assertThat(report.certifiedAccuracy()).containsExactly(2 / 3.0, 2 / 3.0, 2 / 3.0, 0.0, 0.0);
        assertThat(report.abstentions()).isZero();

        Path png = dir.resolve("cert.png");
        Map<String, List<CertifyReport.CertifiedImage>> curves = new LinkedHashMap<>();
        curves.put("none", results);
        curves.put("ours", List.of(image(1, 1, 0.9)));
        CertifiedAccuracyPlot.write(png, "test", curves);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(800);
        assertThat(img.getHeight()).isEqualTo(500);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(png);
        }
    }
}
