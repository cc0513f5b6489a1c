package io.cdcflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A built deployable jar started as its own process, as an operator runs it: for crash and end-to-end tests. */
public final class JarProcess {
    private JarProcess() {
    }

    public static Process start(Path jar, Map<String, String> env, Path log) throws IOException {
        if (!jar.toFile().exists()) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (mvn package)");
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return pb.start();
    }
}
