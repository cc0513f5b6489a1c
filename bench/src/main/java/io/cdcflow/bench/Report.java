package io.cdcflow.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The Markdown report and its two plots (throughput bars, freshness against offered load), drawn with Java2D. */
final class Report {
    private Report() {
    }

    static String markdown(String machine, List<Measurement> measurements, List<FreshnessBench.Point> freshness, String findings) {
        StringBuilder md = new StringBuilder("# Benchmark report\n\n").append(machine).append("\n\n");
        md.append("## Throughput\n\n| stage | system | units | seconds | per second | CPU s per million | ours / this |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (Measurement m : measurements) {
            Measurement ours = measurements.stream().filter(o -> o.stage().equals(m.stage()) && o.system().contains("(ours)")).findFirst().orElse(null);
            String ratio = ours == null || ours == m ? "" : String.format(Locale.ROOT, "%.2f", ours.perSecond() / m.perSecond());
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.2f | %,.0f | %s | %s |%n", m.stage(), m.system(), m.units(), m.seconds(),
                    m.perSecond(), Double.isNaN(m.cpuPerMillion()) ? "" : String.format(Locale.ROOT, "%.1f", m.cpuPerMillion()), ratio));
        }
        md.append("\nNotes:\n");
        measurements.forEach(m -> md.append("- ").append(m.system()).append(": ").append(m.note()).append('\n'));
        md.append("\n![throughput](throughput.png)\n\n## Freshness (PostgreSQL commit to ClickHouse)\n\n")
                .append("| offered changes/s | achieved | p50 ms | p95 ms | p99 ms | probes | sustained |\n|---:|---:|---:|---:|---:|---:|---|\n");
        for (FreshnessBench.Point p : freshness) {
            md.append(String.format(Locale.ROOT, "| %,d | %,.0f | %.0f | %.0f | %.0f | %d | %s |%n", p.offered(), p.achieved(), p.p50(), p.p95(),
                    p.p99(), p.probes(), p.sustained() ? "yes" : "no"));
        }
        freshness.stream().filter(FreshnessBench.Point::sustained).mapToInt(FreshnessBench.Point::offered).max().ifPresent(highest ->
                md.append(String.format(Locale.ROOT, "%nHighest offered load sustained (all of it went in, every probe came out, "
                        + "lag not growing over the window): %,d changes/s.%n", highest)));
        freshness.stream().filter(p -> p.sustained() && p.p99() < 1000).mapToInt(FreshnessBench.Point::offered).max().ifPresentOrElse(fresh ->
                md.append(String.format(Locale.ROOT, "Highest offered load sustained with a p99 under 1 s (the goal): %,d changes/s.%n", fresh)),
                () -> md.append("No offered load was sustained with a p99 under 1 s (the goal).\n"));
        md.append("\n![freshness](freshness.png)\n\n## Findings\n\n").append(findings).append('\n');
        return md.toString();
    }

    static void throughputPlot(List<Measurement> measurements, Path file) throws IOException {
        int rowHeight = 34;
        // the bars start right of the longest label, so no label runs into a bar
        Graphics2D scratch = canvas(1, 1).createGraphics();
        setup(scratch);
        int labels = measurements.stream().mapToInt(m -> scratch.getFontMetrics().stringWidth(label(m))).max().orElse(0);
        scratch.dispose();
        int barStart = 20 + labels + 15;
        int width = barStart + 420 + 130;
        int height = 60 + rowHeight * measurements.size();
        BufferedImage image = canvas(width, height);
        Graphics2D g = image.createGraphics();
        setup(g);
        g.drawString("Throughput per stage (units per second; bars scaled within each stage)", 20, 25);
        int y = 45;
        for (Measurement m : measurements) {
            double max = measurements.stream().filter(o -> o.stage().equals(m.stage())).mapToDouble(Measurement::perSecond).max().orElse(1);
            int bar = (int) (m.perSecond() / max * 420);
            g.setColor(m.system().contains("(ours)") ? new Color(0x2b6cb0) : new Color(0xa0aec0));
            g.fillRect(barStart, y, Math.max(bar, 1), rowHeight - 10);
            g.setColor(Color.BLACK);
            g.drawString(label(m), 20, y + 17);
            g.drawString(String.format(Locale.ROOT, "%,.0f/s", m.perSecond()), barStart + 10 + bar, y + 17);
            y += rowHeight;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    static void freshnessPlot(List<FreshnessBench.Point> points, Path file) throws IOException {
        int width = 800;
        int height = 420;
        BufferedImage image = canvas(width, height);
        Graphics2D g = image.createGraphics();
        setup(g);
        g.drawString("Freshness against offered load (ms, commit to ClickHouse)", 20, 25);
        int left = 80;
        int right = width - 40;
        int top = 50;
        int bottom = height - 60;
        double max = points.stream().mapToDouble(FreshnessBench.Point::p99).filter(d -> !Double.isNaN(d)).max().orElse(1) * 1.15;
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        for (int i = 0; i <= 4; i++) {
            int y = bottom - (bottom - top) * i / 4;
            g.drawString(String.format(Locale.ROOT, "%.0f", max * i / 4), 20, y + 5);
        }
        Color[] colors = {new Color(0x2f855a), new Color(0xd69e2e), new Color(0xc53030)};
        String[] names = {"p50", "p95", "p99"};
        for (int series = 0; series < 3; series++) {
            g.setColor(colors[series]);
            g.setStroke(new BasicStroke(2.5f));
            int previousX = -1;
            int previousY = -1;
            for (int i = 0; i < points.size(); i++) {
                FreshnessBench.Point p = points.get(i);
                double value = series == 0 ? p.p50() : series == 1 ? p.p95() : p.p99();
                int x = left + (right - left) * (i + 1) / (points.size() + 1);
                int y = bottom - (int) ((bottom - top) * value / max);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (previousX >= 0) {
                    g.drawLine(previousX, previousY, x, y);
                }
                previousX = x;
                previousY = y;
                if (series == 0) {
                    g.setColor(Color.BLACK);
                    g.drawString(String.format(Locale.ROOT, "%,d/s", p.offered()), x - 25, bottom + 20);
                    g.setColor(colors[series]);
                }
            }
            g.drawString(names[series], right - 60, top + 20 * series);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static String label(Measurement m) {
        return m.stage() + ": " + m.system();
    }

    private static BufferedImage canvas(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    private static void setup(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    }

    static void write(Path dir, String name, String content) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), content);
    }
}
