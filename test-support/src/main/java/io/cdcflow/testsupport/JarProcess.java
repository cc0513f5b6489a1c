package io.cdcflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A built deployable jar started as its own process, as an operator runs it: for crash and end-to-end tests. */
public final class JarProcess {
    private JarProcess() {
    }

    /** With the small heap and serial collector tests run several deployables side by side with. */
    public static Process start(Path jar, Map<String, String> env, Path log) throws IOException {
        return start(jar, List.of("-Xmx384m", "-XX:+UseSerialGC"), env, log);
    }

    /** With the JVM options {@code jvm} (a heap, a collector, a profiler), for a benchmark. */
    public static Process start(Path jar, List<String> jvm, Map<String, String> env, Path log) throws IOException {
        if (!jar.toFile().exists()) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (mvn package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return pb.start();
    }
}
