package io.cdcflow.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Wall and CPU time: of this JVM, or of a command run to completion under bash's {@code time}. */
final class Timing {
    private Timing() {
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** Runs {@code command} (a shell line) and returns {wall seconds, user+system CPU seconds}. */
    static double[] command(String command, Map<String, String> env, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bench-time", ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "TIMEFORMAT='%R %U %S'; { time " + command + " ; } 2> " + out)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout + ": " + command);
            }
            lines = Files.readAllLines(out);
        } finally {
            Files.deleteIfExists(out);
        }
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
        String[] parts = last.split("\\s+");
        if (p.exitValue() != 0 || parts.length != 3) {
            throw new IOException("command failed (" + p.exitValue() + "): " + command + ": " + String.join("\n", lines));
        }
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]) + Double.parseDouble(parts[2])};
    }

    /** The faster of the best run so far (null before the first) and this run, both {wall seconds, CPU seconds}. */
    static double[] faster(double[] best, double[] run) {
        return best == null || run[0] < best[0] ? run : best;
    }

    static List<Double> sorted(List<Long> values) {
        List<Double> sorted = new ArrayList<>();
        values.stream().sorted().forEach(v -> sorted.add(v.doubleValue()));
        return sorted;
    }

    static double percentile(List<Long> values, double p) {
        List<Double> sorted = sorted(values);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
