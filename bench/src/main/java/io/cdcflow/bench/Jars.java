package io.cdcflow.bench;

import io.cdcflow.testsupport.JarProcess;
import io.cdcflow.testsupport.Waiting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployables started as the jars users run ({@code <module>/target/<module>.jar}), each in its own JVM with its
 * own heap, configured by environment variables, logging to {@code <logs>/<module>.log}: a stage measured so does
 * not share the bench JVM's heap, JIT and garbage with the stages before it. Closing stops them (SIGTERM) and waits.
 */
final class Jars implements AutoCloseable {
    private final Path logs;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    Jars(Path logs) {
        this.logs = logs;
    }

    /** Starts {@code module}'s jar with {@code -Xmx<heap>}, {@code jvm} options (blank: none) and {@code env}. */
    void start(String module, String heap, String jvm, Map<String, String> env) throws IOException {
        List<String> options = new ArrayList<>(List.of("-Xmx" + heap));
        if (!jvm.isBlank()) {
            options.addAll(List.of(jvm.trim().split("\\s+")));
        }
        processes.put(module, JarProcess.start(Path.of(module, "target", module + ".jar"), options, env, logs.resolve(module + ".log")));
    }

    /** The jars started, by module, in the order they were started. */
    Map<String, Process> processes() {
        return processes;
    }

    /**
     * CPU seconds so far of the jars started and of the servers every stage shares ({@link Timing#SERVERS}), by name:
     * where a stage's time went is the difference of two readings.
     */
    Map<String, Double> cpuSeconds() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        processes.forEach((name, p) -> seconds.put(name, Timing.processCpu(p.pid())));
        seconds.putAll(Timing.processCpu(Timing.SERVERS));
        return seconds;
    }

    /** What {@code after} adds to {@code before} ({@link #cpuSeconds} readings), as "name 1.2" items for a report line. */
    static List<String> cpuBetween(Map<String, Double> before, Map<String, Double> after) {
        return after.entrySet().stream().map(e -> String.format(java.util.Locale.ROOT, "%s %.1f", e.getKey(),
                e.getValue() - before.getOrDefault(e.getKey(), 0.0))).toList();
    }

    @Override
    public void close() throws InterruptedException {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            p.waitFor();
        }
    }

    /** Whether a deployable on this machine answers 200 on {@code /ready} at {@code port}. */
    static boolean ready(int port) {
        return Waiting.answers("http://127.0.0.1:" + port + "/ready");
    }

    /** A process's peak resident set (VmHWM), in MB; 0 when it cannot be read. */
    static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
