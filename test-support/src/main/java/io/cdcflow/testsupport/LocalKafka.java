package io.cdcflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller), run in a child JVM from the
 * {@code kafka_2.13} jars on this JVM's class path. A child process, not an in-process broker, so that tests can
 * kill and restart it like a real one.
 */
public final class LocalKafka implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private ManagedProcess broker;

    private LocalKafka(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    public static LocalKafka start() throws IOException {
        Path dir = Files.createTempDirectory("cdcflow-kafka-");
        LocalKafka kafka = new LocalKafka(dir, Ports.free(), Ports.free());
        kafka.format();
        kafka.startBroker();
        return kafka;
    }

    private void format() throws IOException {
        Files.writeString(properties(), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "log.flush.interval.messages=9223372036854775807",
                ""));
        List<String> command = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", properties().toString());
        ManagedProcess.run("kafka-storage format", command, log(), Duration.ofMinutes(2));
    }

    private void startBroker() throws IOException {
        List<String> command = java("kafka.Kafka", properties().toString());
        command.add(1, "-Xmx768m");
        command.add(1, "-XX:+UseSerialGC");
        broker = ManagedProcess.start("Kafka broker", command, log(), "TERM");
        KafkaEndpoint endpoint = endpoint();
        boolean up = Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
            if (!broker.isAlive()) {
                throw new IllegalStateException("exited");
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint.bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
                return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
        if (!up) {
            throw new IOException("Kafka broker did not answer within 90s: " + broker.failureReport());
        }
    }

    /** A graceful stop and start on the same port and data. */
    public void restart() throws IOException {
        broker.stop(Duration.ofSeconds(30));
        startBroker();
    }

    public KafkaEndpoint endpoint() {
        return new KafkaEndpoint("127.0.0.1:" + port);
    }

    private Path properties() {
        return dir.resolve("server.properties");
    }

    private Path log() {
        return dir.resolve("kafka.log");
    }

    private static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath()));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * This JVM's class path with manifest-only jars expanded: Maven Surefire may start tests from a jar whose
     * manifest lists the real class path.
     */
    static List<String> classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(entry);
            if (!entry.endsWith(".jar")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (classPath != null) {
                    for (String url : classPath.trim().split("\\s+")) {
                        entries.add(Path.of(java.net.URI.create(url.startsWith("file:") ? url : "file:" + url)).toString());
                    }
                }
            } catch (IOException | IllegalArgumentException ignored) {
                // not a readable jar: keep the entry as it is
            }
        }
        return new ArrayList<>(entries);
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.stop(Duration.ofSeconds(20));
        }
        Cleanup.deleteTree(dir);
    }
}
