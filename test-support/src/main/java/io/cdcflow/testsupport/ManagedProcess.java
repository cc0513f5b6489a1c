package io.cdcflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process started by the harness, with its output in a log file. A watchdog outlives the JVM for one
 * purpose: if the test JVM dies without running its shutdown hooks (kill -9, a crashed fork), the watchdog stops
 * the server, so no stray process is left behind.
 */
final class ManagedProcess {
    private final String name;
    private final Process process;
    private final Process watchdog;
    private final Path log;
    private final String stopSignal;

    private ManagedProcess(String name, Process process, Process watchdog, Path log, String stopSignal) {
        this.name = name;
        this.process = process;
        this.watchdog = watchdog;
        this.log = log;
        this.stopSignal = stopSignal;
    }

    static ManagedProcess start(String name, List<String> command, Path log, String stopSignal) throws IOException {
        return start(name, command, java.util.Map.of(), log, stopSignal);
    }

    /** Starts with extra environment variables (kept out of the command line, where ps would show them). */
    static ManagedProcess start(String name, List<String> command, java.util.Map<String, String> env, Path log, String stopSignal)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process process = builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        long jvm = ProcessHandle.current().pid();
        long child = process.pid();
        String script = "while kill -0 " + jvm + " 2>/dev/null && kill -0 " + child + " 2>/dev/null; do sleep 1; done; "
                + "kill -" + stopSignal + " " + child + " 2>/dev/null; sleep 10; kill -KILL " + child + " 2>/dev/null; exit 0";
        Process watchdog = new ProcessBuilder("setsid", "bash", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new ManagedProcess(name, process, watchdog, log, stopSignal);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Runs a command to completion and fails with its output when it does not exit 0. */
    static void run(String what, List<String> command, Path log, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within " + timeout + "; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed with exit code " + p.exitValue() + ": " + tail(log));
        }
    }

    /** Stops the server gracefully, then forcibly after the grace period. */
    void stop(Duration grace) {
        if (process.isAlive()) {
            signal(stopSignal);
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        watchdog.destroyForcibly();
    }

    /** SIGKILL, and waits for the process to end. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.destroyForcibly();
    }

    private void signal(String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String failureReport() {
        return name + (process.isAlive() ? " is running" : " exited with code " + process.exitValue()) + "; last lines of "
                + log + ":\n" + tail(log);
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
