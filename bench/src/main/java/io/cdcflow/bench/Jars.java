package io.cdcflow.bench;

import io.cdcflow.testsupport.JarProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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

    @Override
    public void close() throws InterruptedException {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            p.waitFor();
        }
    }

    /** Whether a deployable on this machine answers 200 on {@code /ready} at {@code port}. */
    static boolean ready(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
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
