package io.cdcflow.e2e;

import io.cdcflow.testsupport.JarProcess;
import io.cdcflow.testsupport.Waiting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One of the three built jars, run as its own process, as an operator would run it. */
final class Deployable implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final int httpPort;
    private final Path log;
    private Process process;

    Deployable(String name, Map<String, String> env, int httpPort, Path log) {
        this.name = name;
        this.jar = Path.of("..", name, "target", name + ".jar");
        this.env = env;
        this.httpPort = httpPort;
        this.log = log;
    }

    /** Where its /ping, /ready and /metrics answer ({@code host:port}). */
    String address() {
        return "127.0.0.1:" + httpPort;
    }

    void start() throws Exception {
        process = JarProcess.start(jar, env, log);
    }

    boolean ready() {
        try {
            return process.isAlive() && HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** The body of a GET on the deployable's HTTP port, or "" while it does not answer. */
    String get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** What the process logged so far (every start appends to the same file). */
    String log() {
        try {
            return java.nio.file.Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    void awaitReady() {
        if (!Waiting.until(Duration.ofSeconds(120), Duration.ofMillis(250), this::ready)) {
            throw new AssertionError(name + " is not ready after 120s (alive: " + process.isAlive() + "); log " + log);
        }
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
