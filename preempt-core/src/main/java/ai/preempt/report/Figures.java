package ai.preempt.report;

import ai.preempt.data.Image;
import ai.preempt.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.HistogramDataset;

/**
 * The paper's figures as PNG files: histograms drawn with JFreeChart (Fig. 3, reconstruction error; Fig. 4,
 * final robust losses with log 2 marked) and an image grid rendered with Java2D (Fig. 6: original,
 * robustified, amplified difference, attacked, each with its label).
 */
public final class Figures {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Figures() {}

    /**
     * Writes a histogram.
     *
     * @param marker a value to mark with a vertical line (e.g. log 2), or null
     * @param markerLabel its label
     */
    public static void histogram(Path png, String title, String xLabel, double[] values, Double marker,
            String markerLabel) throws IOException {
        HistogramDataset data = new HistogramDataset();
        double[] finite = java.util.Arrays.stream(values).filter(Double::isFinite).toArray();
        if (finite.length == 0) {
            throw new IllegalArgumentException("nothing to plot for " + title);
        }
        data.addSeries(xLabel, finite, 30);
        JFreeChart chart = ChartFactory.createHistogram(title, xLabel, "images", data, PlotOrientation.VERTICAL, false,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
        if (marker != null) {
            ValueMarker m = new ValueMarker(marker, Color.RED, new BasicStroke(2f));
            m.setLabel(markerLabel);
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m);
        }
        AtomicFiles.write(png, out -> ChartUtils.writeChartAsPNG(out, chart, 800, 500));
    }

    /** One row of the grid: the four images and their captions. */
    public record GridRow(Image original, String originalLabel, Image robustified, String robustifiedLabel,
            Image attacked, String attackedLabel) {}

    /**
     * Writes the Fig. 6 grid: per row the original, the robustified image, their difference amplified
     * {@code amplify} times around grey, and the robustified image after the attack.
     */
    public static void grid(Path png, List<GridRow> rows, float amplify) throws IOException {
        final int cell = 128;
        final int caption = 22;
        final int header = 26;
        String[] heads = {"original", "robustified", "difference ×" + (int) amplify, "attacked"};
        BufferedImage canvas = new BufferedImage(4 * cell, header + rows.size() * (cell + caption),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        for (int c = 0; c < 4; c++) {
            g.drawString(heads[c], c * cell + 6, 18);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int r = 0; r < rows.size(); r++) {
            GridRow row = rows.get(r);
            int y = header + r * (cell + caption);
            Image diff = difference(row.original(), row.robustified(), amplify);
            Image[] imgs = {row.original(), row.robustified(), diff, row.attacked()};
            String[] caps = {row.originalLabel(), row.robustifiedLabel(), "", row.attackedLabel()};
            for (int c = 0; c < 4; c++) {
                g.drawImage(toBuffered(imgs[c]), c * cell + 4, y, cell - 8, cell - 8, null);
                g.setColor(Color.BLACK);
                g.drawString(caps[c], c * cell + 6, y + cell + 8);
            }
        }
        g.dispose();
        AtomicFiles.write(png, out -> ImageIO.write(canvas, "png", out));
    }

    private static Image difference(Image a, Image b, float amplify) {
        float[] d = new float[a.chw().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0f, Math.min(1f, 0.5f + amplify * (b.chw()[i] - a.chw()[i])));
        }
        return new Image(a.channels(), a.height(), a.width(), d);
    }

    private static BufferedImage toBuffered(Image img) {
        BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        int plane = img.height() * img.width();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int p = y * img.width() + x;
                int r = Math.round(255 * img.chw()[p]);
                int gr = Math.round(255 * img.chw()[(img.channels() > 1 ? plane : 0) + p]);
                int b = Math.round(255 * img.chw()[(img.channels() > 2 ? 2 * plane : 0) + p]);
                out.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return out;
    }
}
