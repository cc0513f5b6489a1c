package io.cdcflow.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The deployables' container images, built by Debian's podman from the repository's own Dockerfiles. No image
 * registry is reachable here, so the base images the Dockerfiles take as build arguments are made from Debian's
 * packages: a Debian 12 root file system from {@code debootstrap --variant=minbase bookworm}, imported as
 * {@link #DEBIAN}; on it a JDK with Maven ({@link #BUILD}, the build stage) and a JRE ({@link #RUNTIME}). Podman keeps
 * them between runs; the deployables' images are built from the sources each time, with the host's Maven repository
 * mounted into the build stage (nothing is downloaded twice).
 *
 * <p>Podman runs here with {@code --runtime runc} (crun refuses this machine's hybrid cgroups), {@code --cgroup-manager
 * cgroupfs} (no systemd) and limits below the machine's hard ones ({@link #LIMITS}).
 */
public final class LocalImages {
    public static final String DEBIAN = "localhost/cdcflow-debian:bookworm";
    public static final String BUILD = "localhost/cdcflow-maven:17";
    public static final String RUNTIME = "localhost/cdcflow-jre:17";
    /** Open files and processes within this machine's hard limits (podman's defaults exceed them). */
    public static final List<String> LIMITS = List.of("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096");
    private static final List<String> PODMAN = List.of("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs");

    private LocalImages() {
    }

    /** A command's exit code and what it printed (stdout and stderr together). */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** The deployables, each with an image of its own ({@code docker/<deployable>.Dockerfile}). */
    public static final List<String> DEPLOYABLES = List.of("wal-producer", "streams-app", "clickhouse-writer");

    /** The image a test builds of a deployable. */
    public static String image(String deployable) {
        return "localhost/cdcflow/" + deployable + ":test";
    }

    /**
     * Builds the base images that are missing, then the deployable's image from {@code docker/<deployable>.Dockerfile}
     * of {@code repository} (once per JVM), and returns its name.
     *
     * @throws ServiceUnavailableException when podman or debootstrap is not installed
     */
    public static synchronized String build(Path repository, String deployable) {
        if (built.contains(deployable)) {
            return image(deployable);
        }
        baseImages();
        buildImage("the " + deployable + " image", image(deployable), repository,
                List.of("--volume", Path.of(System.getProperty("user.home"), ".m2") + ":/root/.m2",
                        "--build-arg", "BUILD_IMAGE=" + BUILD, "--build-arg", "RUNTIME_IMAGE=" + RUNTIME,
                        "-f", repository.resolve("docker").resolve(deployable + ".Dockerfile").toString()),
                repository.resolve("e2e").resolve("target").resolve("image-" + deployable + ".log"));
        // the build stage's image (a JDK, Maven and the compiled sources) is left untagged: not kept from one run to the next
        podman(Duration.ofMinutes(2), List.of("image", "prune", "--force"));
        built.add(deployable);
        return image(deployable);
    }

    /** The deployables' images built by this JVM: from the same sources, so built once however many tests run them. */
    private static final java.util.Set<String> built = new java.util.HashSet<>();

    /** {@code podman build} of {@code context} into {@code image}, on the host's network, with this machine's limits. */
    private static void buildImage(String what, String image, Path context, List<String> options, Path log) {
        List<String> args = new ArrayList<>(List.of("build", "--format", "docker", "--network", "host"));
        args.addAll(LIMITS);
        args.addAll(options);
        args.addAll(List.of("-t", image, context.toString()));
        check(what, podman(Duration.ofMinutes(15), args), log);
    }

    /** The files of each service's image, under {@code images/<service>/} in this module's resources. */
    private static final java.util.Map<String, List<String>> SERVICES = java.util.Map.of(
            "postgres", List.of("Containerfile", "entrypoint.sh"),
            "clickhouse", List.of("Containerfile", "entrypoint.sh"),
            "kafka", List.of("Containerfile", "entrypoint.sh", "kafka-broker-api-versions.sh"),
            "prometheus", List.of("Containerfile"),
            "zookeeper", List.of("Containerfile", "entrypoint.sh"));

    /**
     * A local stand-in for the public image of a service the compose file runs ({@code postgres}, {@code clickhouse},
     * {@code kafka}, {@code prometheus}, {@code zookeeper}): Debian's package (the broker's jars from this JVM's class path for Kafka) with
     * an entry point that keeps the public image's conventions (its environment variables, init scripts, healthcheck
     * tools). Tagged with a hash of what it is built from, and built only when podman does not hold that tag yet.
     */
    public static synchronized String service(String name) {
        List<String> files = SERVICES.get(name);
        if (files == null) {
            throw new IllegalArgumentException("no local image for " + name + "; there are " + SERVICES.keySet());
        }
        baseImages();
        try {
            Path context = Files.createTempDirectory("cdcflow-image-" + name + "-");
            java.util.zip.CRC32 hash = new java.util.zip.CRC32();
            for (String file : files) {
                try (var in = LocalImages.class.getResourceAsStream("/images/" + name + "/" + file)) {
                    byte[] bytes = java.util.Objects.requireNonNull(in, "resource images/" + name + "/" + file).readAllBytes();
                    hash.update(bytes);
                    Path target = context.resolve(file);
                    Files.write(target, bytes);
                    target.toFile().setExecutable(file.endsWith(".sh"), false);
                }
            }
            if (name.equals("kafka")) {
                Path libs = Files.createDirectories(context.resolve("libs"));
                for (String entry : LocalKafka.classPath()) {
                    Path jar = Path.of(entry);
                    if (entry.endsWith(".jar") && Files.isRegularFile(jar) && !Files.exists(libs.resolve(jar.getFileName()))) {
                        Files.copy(jar, libs.resolve(jar.getFileName()));
                        hash.update(jar.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
            String image = "localhost/cdcflow-" + name + ":" + Long.toHexString(hash.getValue());
            try {
                if (!exists(image)) {
                    buildImage("the local " + name + " image", image, context,
                            List.of("--build-arg", "BASE=" + (name.equals("kafka") ? RUNTIME : DEBIAN)),
                            Path.of(System.getProperty("java.io.tmpdir"), "cdcflow-images", name + ".log"));
                }
            } finally {
                Cleanup.deleteTree(context);
            }
            return image;
        } catch (IOException e) {
            throw new ServiceUnavailableException("podman", e);
        }
    }

    /** {@link #DEBIAN}, {@link #BUILD} and {@link #RUNTIME}, each built unless podman holds it already. */
    static void baseImages() {
        for (String tool : List.of("podman", "runc", "debootstrap")) {
            if (run(Duration.ofSeconds(30), List.of("sh", "-c", "command -v " + tool)).exitCode() != 0) {
                throw new ServiceUnavailableException("podman", new IOException(tool + " is not installed: apt-get install -y podman runc debootstrap"));
            }
        }
        try {
            Path work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "cdcflow-images"));
            if (!exists(DEBIAN)) {
                Path rootfs = work.resolve("rootfs");
                run(Duration.ofMinutes(2), List.of("rm", "-rf", rootfs.toString()));
                check("a Debian root file system", run(Duration.ofMinutes(15), List.of("debootstrap", "--variant=minbase", "bookworm",
                        rootfs.toString(), "http://deb.debian.org/debian")), work.resolve("debootstrap.log"));
                check("the Debian base image", run(Duration.ofMinutes(10), List.of("sh", "-c", "tar -C " + rootfs + " -c . | "
                        + String.join(" ", PODMAN) + " import - " + DEBIAN)), work.resolve("import.log"));
                run(Duration.ofMinutes(2), List.of("rm", "-rf", rootfs.toString()));
            }
            baseImage(work, RUNTIME, "openjdk-17-jre-headless");
            baseImage(work, BUILD, "openjdk-17-jdk-headless maven");
        } catch (IOException e) {
            throw new ServiceUnavailableException("podman", e);
        }
    }

    private static void baseImage(Path work, String image, String packages) throws IOException {
        if (exists(image)) {
            return;
        }
        Path containerfile = work.resolve(image.replaceAll("[^A-Za-z0-9]", "_") + ".Containerfile");
        Files.writeString(containerfile, "FROM " + DEBIAN + "\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
                + "--no-install-recommends " + packages + " && rm -rf /var/lib/apt/lists/*\n");
        buildImage("the base image " + image, image, work, List.of("-f", containerfile.toString()),
                work.resolve(containerfile.getFileName() + ".log"));
    }

    private static boolean exists(String image) {
        return podman(Duration.ofSeconds(30), List.of("image", "exists", image)).ok();
    }

    /** Runs podman with this machine's runtime flags. */
    public static Result podman(Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>(PODMAN);
        command.addAll(args);
        return run(timeout, command);
    }

    public static Result podman(String... args) {
        return podman(Duration.ofMinutes(2), List.of(args));
    }

    private static void check(String what, Result result, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, result.output());
        } catch (IOException ignored) {
            // the message below carries the end of the output
        }
        if (!result.ok()) {
            String output = result.output();
            throw new IllegalStateException("building " + what + " failed (exit " + result.exitCode() + ", log " + log + "):\n"
                    + output.substring(Math.max(0, output.length() - 3000)));
        }
    }

    static Result run(Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("cdcflow-cmd-", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    return new Result(-1, Files.readString(out) + "\n(timed out after " + timeout + ": " + String.join(" ", command) + ")");
                }
                return new Result(process.exitValue(), Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Result(-1, command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
