package io.cdcflow.e2e;

import io.cdcflow.testsupport.JarProcess;
import io.cdcflow.testsupport.LocalImages;
import io.cdcflow.testsupport.Waiting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the three deployables, run as an operator would run it: the built jar as its own process, or its container
 * image ({@link #inContainer}) under podman on the host's network, with the given host paths mounted where the
 * environment names them.
 */
final class Deployable implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final int httpPort;
    private final Path log;
    private Process process;
    /** The container's name, when run as one (null: the jar as a process). */
    private final String container;
    private final List<Path> mounts;
    private boolean created;

    Deployable(String name, Map<String, String> env, int httpPort, Path log) {
        this(name, env, httpPort, log, null, List.of());
    }

    private Deployable(String name, Map<String, String> env, int httpPort, Path log, String container, List<Path> mounts) {
        this.name = name;
        this.jar = Path.of("..", name, "target", name + ".jar");
        this.env = env;
        this.httpPort = httpPort;
        this.log = log;
        this.container = container;
        this.mounts = mounts;
    }

    /**
     * The deployable's image ({@link LocalImages#image}) run as container {@code container}, with {@code mounts} (host
     * paths the environment names: a facts file, a state directory) at the same paths inside.
     */
    static Deployable inContainer(String name, Map<String, String> env, int httpPort, Path log, String container, List<Path> mounts) {
        return new Deployable(name, env, httpPort, log, container, mounts);
    }

    /** The container's name, or null when the jar runs as a process. */
    String container() {
        return container;
    }

    /** Where its /ping, /ready and /metrics answer ({@code host:port}). */
    String address() {
        return "127.0.0.1:" + httpPort;
    }

    void start() throws Exception {
        if (container == null) {
            process = JarProcess.start(jar, env, log);
            return;
        }
        if (created) {
            podman("start", container);
            return;
        }
        List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", container, "--network", "host"));
        run.addAll(LocalImages.LIMITS);
        env.forEach((k, v) -> run.addAll(List.of("--env", k + "=" + v)));
        mounts.forEach(m -> run.addAll(List.of("--volume", m + ":" + m)));
        run.add(LocalImages.image(name));
        podman(run.toArray(String[]::new));
        created = true;
    }

    private static String podman(String... args) {
        LocalImages.Result result = LocalImages.podman(args);
        if (!result.ok()) {
            throw new IllegalStateException("podman " + String.join(" ", args) + " failed (exit " + result.exitCode() + "): " + result.output());
        }
        return result.output().trim();
    }

    /** Whether the process, or the container, runs. */
    boolean alive() {
        if (container == null) {
            return process != null && process.isAlive();
        }
        return created && LocalImages.podman("inspect", "--format", "{{.State.Running}}", container).output().trim().equals("true");
    }

    /** The container's own healthcheck (the image's HEALTHCHECK, run once now): whether it reports healthy. */
    boolean healthy() {
        return LocalImages.podman("healthcheck", "run", container).ok();
    }

    boolean ready() {
        return (container != null || process.isAlive()) && Waiting.answers("http://127.0.0.1:" + httpPort + "/ready");
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

    /** What the process logged so far (every start appends to the same file; a container's every start too). */
    String log() {
        if (container != null) {
            return created ? LocalImages.podman("logs", container).output() : "";
        }
        try {
            return java.nio.file.Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    void awaitReady() {
        if (!Waiting.until(Duration.ofSeconds(120), Duration.ofMillis(250), this::ready)) {
            throw new AssertionError(name + " is not ready after 120s (alive: " + alive() + "); log " + (container == null ? log
                    : "of container " + container + ":\n" + log()));
        }
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
        if (container != null) {
            podman("kill", "--signal", "KILL", container);
            LocalImages.podman("wait", container);
            return;
        }
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, and the wait for a clean stop (a container is killed after 30 s, as {@code docker stop} does). */
    void stop() throws InterruptedException {
        if (container != null) {
            podman("stop", "--time", "30", container);
            return;
        }
        close();
    }

    /** The exit code of the container's last run. */
    int exitCode() {
        return Integer.parseInt(podman("inspect", "--format", "{{.State.ExitCode}}", container));
    }

    @Override
    public void close() throws InterruptedException {
        if (container != null) {
            if (created) {
                LocalImages.podman("stop", "--time", "30", container);
                try {
                    java.nio.file.Files.writeString(log, log());
                } catch (java.io.IOException ignored) {
                    // the log is a convenience
                }
                LocalImages.podman("rm", "--force", container);
                created = false;
            }
            return;
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
