package io.cdcflow.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * PostgreSQL from the installed server binaries ({@code /usr/lib/postgresql/<version>/bin}, or {@code PG_BIN}):
 * initdb in a temporary directory, {@code wal_level=logical}, a free port on loopback. PostgreSQL refuses to run
 * as root, so when the JVM is root the server runs as the {@code postgres} user.
 */
public final class LocalPostgres implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean tls;
    private ManagedProcess server;

    private LocalPostgres(Path dir, Path bin, int port, boolean tls) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.tls = tls;
    }

    public static LocalPostgres start() throws IOException {
        return start(false);
    }

    /**
     * A server that also accepts TLS, with a self-signed certificate for {@code localhost} and {@code 127.0.0.1}
     * ({@link #certificate()}), for tests of {@code sslmode=verify-full}.
     */
    public static LocalPostgres startWithTls() throws IOException {
        return start(true);
    }

    private static LocalPostgres start(boolean tls) throws IOException {
        Path bin = findBinaries();
        Path dir = Files.createTempDirectory("cdcflow-pg-");
        LocalPostgres pg = new LocalPostgres(dir, bin, Ports.free(), tls);
        pg.initdb();
        pg.startServer();
        return pg;
    }

    /** The server's self-signed certificate, to trust as root (sslrootcert). */
    public Path certificate() {
        return dir.resolve("server.crt");
    }

    static Path findBinaries() throws IOException {
        String override = System.getenv("PG_BIN");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IOException("PostgreSQL server binaries not found: no /usr/lib/postgresql "
                    + "(install postgresql, e.g. apt-get install -y postgresql, or set PG_BIN)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IOException("no initdb under /usr/lib/postgresql/*/bin"));
        }
    }

    private void initdb() throws IOException {
        if (isRoot()) {
            // The temp dir is 0700 root; the server user must own its data directory and reach it.
            ManagedProcess.run("chown", List.of("chown", "-R", "postgres:postgres", dir.toString()), log(), Duration.ofSeconds(30));
        }
        ManagedProcess.run("initdb", asServerUser(bin.resolve("initdb").toString(), "-D", data().toString(),
                "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"), log(), Duration.ofMinutes(2));
        if (tls) {
            ManagedProcess.run("openssl", List.of("openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", dir.resolve("server.key").toString(),
                    "-out", certificate().toString()), log(), Duration.ofMinutes(1));
            ManagedProcess.run("chmod", List.of("chmod", "600", dir.resolve("server.key").toString()), log(), Duration.ofSeconds(10));
            ManagedProcess.run("chmod", List.of("chmod", "644", certificate().toString()), log(), Duration.ofSeconds(10));
            if (isRoot()) {
                ManagedProcess.run("chown", List.of("chown", "postgres:postgres", dir.resolve("server.key").toString(),
                        certificate().toString()), log(), Duration.ofSeconds(10));
            }
        }
    }

    private void startServer() throws IOException {
        List<String> tlsOptions = tls ? List.of("-c", "ssl=on", "-c", "ssl_cert_file=" + certificate(),
                "-c", "ssl_key_file=" + dir.resolve("server.key")) : List.of();
        List<String> command = new ArrayList<>(asServerUser(bin.resolve("postgres").toString(),
                "-D", data().toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=" + dir,
                "-c", "wal_level=logical",
                "-c", "max_replication_slots=20",
                "-c", "max_wal_senders=20",
                "-c", "max_connections=200",
                "-c", "fsync=off",
                "-c", "full_page_writes=off"));
        command.addAll(tlsOptions);
        server = ManagedProcess.start("PostgreSQL", command, log(), "INT");
        PostgresEndpoint endpoint = endpoint();
        boolean up = Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("exited");
            }
            try (var c = endpoint.connect()) {
                return c.isValid(2);
            } catch (java.sql.SQLException e) {
                return false;
            }
        });
        if (!up) {
            throw new IOException("PostgreSQL did not accept connections within 60s: " + server.failureReport());
        }
    }

    /** Stops the server (fast shutdown) and starts it again on the same port and data. */
    public void restart() throws IOException {
        server.stop(Duration.ofSeconds(30));
        startServer();
    }

    public PostgresEndpoint endpoint() {
        return new PostgresEndpoint("127.0.0.1", port, "postgres", "postgres", "");
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("postgres.log");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asServerUser(String... command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(Duration.ofSeconds(20));
        }
        Cleanup.deleteTree(dir);
    }
}
