package ai.preempt.report;

import ai.preempt.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws certified accuracy against radius (one step curve per variant, e.g. "none" and "ours") as a PNG. */
public final class CertifiedAccuracyPlot {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private CertifiedAccuracyPlot() {}

    /**
     * @param png the file to write (atomically)
     * @param title the chart title
     * @param curves variant name → per-image certificates, in legend order
     */
    public static void write(Path png, String title, Map<String, List<CertifyReport.CertifiedImage>> curves)
            throws IOException {
        JFreeChart chart = chart(title, curves);
        AtomicFiles.write(png, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }

    /** @return the chart: x the L2 radius, y the certified accuracy, a step at every certified radius */
    public static JFreeChart chart(String title, Map<String, List<CertifyReport.CertifiedImage>> curves) {
        XYSeriesCollection data = new XYSeriesCollection();
        double maxRadius = 0;
        for (List<CertifyReport.CertifiedImage> images : curves.values()) {
            for (CertifyReport.CertifiedImage c : images) {
                maxRadius = Math.max(maxRadius, c.radius());
            }
        }
        double end = Math.max(1.0, maxRadius * 1.05);
        for (Map.Entry<String, List<CertifyReport.CertifiedImage>> e : curves.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), true, true);
            List<Double> radii = e.getValue().stream().filter(CertifyReport.CertifiedImage::correct)
                    .map(CertifyReport.CertifiedImage::radius).sorted().toList();
            s.add(0, CertifyReport.accuracyAt(e.getValue(), 0));
            for (double r : radii) {
                // the accuracy drops just after r: sample at r (still certified) and the next radius
                s.add(Math.nextUp(r), CertifyReport.accuracyAt(e.getValue(), Math.nextUp(r)));
            }
            s.add(end, CertifyReport.accuracyAt(e.getValue(), end));
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "L2 radius", "certified accuracy", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYStepRenderer renderer = new XYStepRenderer();
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRangeAxis().setRange(0, 1);
        plot.getDomainAxis().setRange(0, end);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
