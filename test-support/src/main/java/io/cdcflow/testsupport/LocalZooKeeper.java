package io.cdcflow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * ZooKeeper from Debian's {@code zookeeper} package ({@code zkServer.sh start-foreground}), standalone, on a port
 * of its own on loopback, with its own data directory: the coordination replicated ClickHouse tables and
 * {@code ON CLUSTER} statements need.
 */
public final class LocalZooKeeper implements AutoCloseable {
    private static final Path SCRIPT = Path.of("/usr/share/zookeeper/bin/zkServer.sh");
    private final Path dir;
    private final int port;
    private ManagedProcess server;

    private LocalZooKeeper(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static LocalZooKeeper start() throws IOException {
        if (!Files.isExecutable(SCRIPT)) {
            throw new IOException("ZooKeeper not found (no " + SCRIPT + "): install it with apt-get install -y zookeeper");
        }
        Path dir = Files.createTempDirectory("cdcflow-zookeeper-");
        LocalZooKeeper zk = new LocalZooKeeper(dir, Ports.free());
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("zoo.cfg"), """
                tickTime=1000
                initLimit=10
                syncLimit=5
                dataDir=%s/data
                clientPort=%d
                clientPortAddress=127.0.0.1
                admin.enableServer=false
                4lw.commands.whitelist=ruok
                """.formatted(dir, zk.port));
        zk.startAgain();
        return zk;
    }

    /** Starts the server (again, after {@link #stop}) and waits until it answers. */
    public void startAgain() throws IOException {
        server = ManagedProcess.start("ZooKeeper", List.of(SCRIPT.toString(), "start-foreground", dir.resolve("zoo.cfg").toString()),
                Map.of("ZOO_LOG_DIR", dir.toString(), "SERVER_JVMFLAGS", "-Xmx256m"), dir.resolve("zookeeper.log"), "TERM");
        if (!Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(200), this::answers)) {
            throw new IOException("ZooKeeper did not answer on port " + port + " within 60 s: " + server.failureReport());
        }
    }

    /** Stops the server (a fault for the tests): its data stays. */
    public void stop() {
        server.stop(Duration.ofSeconds(20));
    }

    /** Whether the server says it runs ({@code ruok}, one of its four-letter words). */
    private boolean answers() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("ruok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).equals("imok");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(Duration.ofSeconds(20));
        }
        Cleanup.deleteTree(dir);
    }
}
