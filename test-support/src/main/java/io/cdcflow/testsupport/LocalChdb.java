package io.cdcflow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * A current ClickHouse engine without a server or Docker: chDB (the ClickHouse engine as a library, from the npm
 * registry) behind {@code chdb-front.js}, which speaks the part of ClickHouse's HTTP interface that client-v2 and the
 * tests use (the script says what it does not cover). chDB is installed with npm on first use into
 * {@code CDCFLOW_CHDB_DIR} (default {@code ~/.cache/cdcflow/chdb-front}, about 550 MB) and kept there.
 */
public final class LocalChdb implements AutoCloseable {
    private static final String PACKAGE = "chdb-front";

    private final Path data;
    private final int port;
    private final ManagedProcess process;

    private LocalChdb(Path data, int port, ManagedProcess process) {
        this.data = data;
        this.port = port;
        this.process = process;
    }

    public static LocalChdb start() throws IOException {
        Path home = install();
        Path data = Files.createTempDirectory("cdcflow-chdb-");
        int port = Ports.free();
        ManagedProcess process = ManagedProcess.start("chDB front", List.of("node", home.resolve("chdb-front.js").toString(),
                String.valueOf(port), data.resolve("db").toString()), data.resolve("front.log"), "TERM");
        LocalChdb chdb = new LocalChdb(data, port, process);
        chdb.awaitPing();
        return chdb;
    }

    /** The front's folder with chDB installed: the script and package.json from this jar, chdb from npm. */
    private static Path install() throws IOException {
        Path home = Path.of(System.getenv().getOrDefault("CDCFLOW_CHDB_DIR",
                System.getProperty("user.home") + "/.cache/cdcflow/chdb-front"));
        Files.createDirectories(home);
        for (String file : List.of("chdb-front.js", "package.json")) {
            try (InputStream in = LocalChdb.class.getResourceAsStream("/" + PACKAGE + "/" + file)) {
                if (in == null) {
                    throw new IOException(file + " is missing from test-support's resources");
                }
                Files.copy(in, home.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.isDirectory(home.resolve("node_modules/chdb"))) {
            System.err.println("[test-support] installing chDB with npm into " + home + " (about 550 MB, once)");
            ManagedProcess.run("npm install chdb", List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", home.toString()),
                    home.resolve("npm-install.log"), Duration.ofMinutes(10));
        }
        return home;
    }

    private void awaitPing() throws IOException {
        if (!Waiting.forPing(process, endpoint().httpUrl() + "/ping", Duration.ofSeconds(60))) {
            throw new IOException("chdb-front did not answer /ping within 60s: " + process.failureReport());
        }
    }

    public ClickHouseEndpoint endpoint() {
        return new ClickHouseEndpoint("http://127.0.0.1:" + port, "default", "");
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
        Cleanup.deleteTree(data);
    }
}
