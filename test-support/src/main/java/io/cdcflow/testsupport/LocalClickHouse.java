package io.cdcflow.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * ClickHouse from the installed server ({@code clickhouse-server}, e.g. Debian's package, or {@code clickhouse server}
 * from the official one), with a generated configuration: its own data directory and ports on loopback, one user
 * {@code default} without a password.
 */
public final class LocalClickHouse implements AutoCloseable {
    private final Path dir;
    private final int httpPort;
    private final int tcpPort;
    private ManagedProcess server;

    /** The HTTPS port, or 0 when the server serves plain HTTP only. */
    private int httpsPort;
    /** More of the server's configuration (a cluster member's: {@link LocalClickHouseCluster}). */
    private String extraConfig = "";

    private LocalClickHouse(Path dir, int httpPort, int tcpPort) {
        this.dir = dir;
        this.httpPort = httpPort;
        this.tcpPort = tcpPort;
    }

    /**
     * A server that also serves HTTPS ({@link #httpsUrl()}), with a self-signed certificate for {@code localhost}
     * ({@link #certificate()}), for tests of a CA file.
     */
    public static LocalClickHouse startWithTls() throws IOException {
        List<String> binary = findBinary();
        Path dir = Files.createTempDirectory("cdcflow-clickhouse-tls-");
        LocalClickHouse ch = new LocalClickHouse(dir, Ports.free(), Ports.free());
        ch.httpsPort = Ports.free();
        ManagedProcess.run("openssl", List.of("openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", dir.resolve("server.key").toString(),
                "-out", ch.certificate().toString()), dir.resolve("openssl.log"), Duration.ofMinutes(1));
        ch.writeConfig();
        ch.startServer(binary);
        return ch;
    }

    public Path certificate() {
        return dir.resolve("server.crt");
    }

    public String httpsUrl() {
        return "https://localhost:" + httpsPort;
    }

    public static LocalClickHouse start() throws IOException {
        List<String> binary = findBinary();
        Path dir = Files.createTempDirectory("cdcflow-clickhouse-");
        LocalClickHouse ch = new LocalClickHouse(dir, Ports.free(), Ports.free());
        ch.writeConfig();
        ch.startServer(binary);
        return ch;
    }

    /**
     * A server with more configuration ({@code config}, given this server's native port and interserver port):
     * ZooKeeper, macros, {@code remote_servers}.
     */
    static LocalClickHouse startWith(java.util.function.BiFunction<Integer, Integer, String> config, int tcpPort, int interserverPort)
            throws IOException {
        List<String> binary = findBinary();
        Path dir = Files.createTempDirectory("cdcflow-clickhouse-member-");
        LocalClickHouse ch = new LocalClickHouse(dir, Ports.free(), tcpPort);
        ch.extraConfig = config.apply(tcpPort, interserverPort);
        ch.writeConfig();
        ch.startServer(binary);
        return ch;
    }

    static List<String> findBinary() throws IOException {
        for (String candidate : List.of("/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return List.of(candidate);
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/clickhouse"))) {
            return List.of("/usr/bin/clickhouse", "server");
        }
        throw new IOException("ClickHouse server not found (no clickhouse-server or clickhouse binary): "
                + "install it with apt-get install -y clickhouse-server");
    }

    private void writeConfig() throws IOException {
        // <yandex> is the root element old servers need; current servers still accept it.
        Files.writeString(dir.resolve("config.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><log>%1$s/server.log</log><errorlog>%1$s/error.log</errorlog><console>0</console></logger>
                  <http_port>%2$d</http_port>
                  <tcp_port>%3$d</tcp_port>
                  <listen_host>127.0.0.1</listen_host>
                  <path>%1$s/data/</path>
                  <tmp_path>%1$s/tmp/</tmp_path>
                  <user_files_path>%1$s/user_files/</user_files_path>
                  <format_schema_path>%1$s/format_schemas/</format_schema_path>
                  <users_config>%1$s/users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <mark_cache_size>67108864</mark_cache_size>
                %4$s
                %5$s
                </yandex>
                """.formatted(dir, httpPort, tcpPort, extraConfig, httpsPort == 0 ? "" : """
                  <https_port>%d</https_port>
                  <openSSL><server><certificateFile>%s</certificateFile><privateKeyFile>%s</privateKeyFile>
                    <verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile>
                    <disableProtocols>sslv2,sslv3</disableProtocols></server></openSSL>
                """.formatted(httpsPort, certificate(), dir.resolve("server.key"))));
        Files.writeString(dir.resolve("users.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
                  <users><default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default></users>
                  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
                </yandex>
                """);
    }

    private void startServer(List<String> binary) throws IOException {
        List<String> command = new java.util.ArrayList<>(binary);
        command.add("--config-file=" + dir.resolve("config.xml"));
        server = ManagedProcess.start("ClickHouse", command, dir.resolve("stdout.log"), "TERM");
        boolean up = Waiting.forPing(server, endpoint().httpUrl() + "/ping", Duration.ofSeconds(60));
        if (!up) {
            throw new IOException("ClickHouse did not answer /ping within 60s: " + server.failureReport()
                    + "\n" + ManagedProcess.tail(dir.resolve("error.log")));
        }
    }

    public void restart() throws IOException {
        server.stop(Duration.ofSeconds(30));
        startServer(findBinary());
    }

    public void stopServer() {
        server.stop(Duration.ofSeconds(30));
    }

    /** Whether the server process runs (it may not be answering yet). */
    public boolean isRunning() {
        return server != null && server.isAlive();
    }

    /** Stops the server with SIGKILL: no flush, no goodbye to ZooKeeper or its replicas. */
    public void kill() {
        server.kill();
    }

    /**
     * Starts the server again after {@link #stopServer} or {@link #kill}. As ClickHouse's "recovery after failures"
     * tells an operator to do after a hard crash, the {@code force_restore_data} flag is set: a replicated table whose
     * last part was written locally but never registered in ZooKeeper (a SIGKILL between the two) then sets that part
     * aside and fetches what ZooKeeper knows from its replicas, instead of refusing to start.
     */
    public void startAgain() throws IOException {
        java.nio.file.Path flags = java.nio.file.Files.createDirectories(dir.resolve("data").resolve("flags"));
        java.nio.file.Files.writeString(flags.resolve("force_restore_data"), "");
        startServer(findBinary());
    }

    /** The native protocol port, for clickhouse-client. */
    public int tcpPort() {
        return tcpPort;
    }

    public ClickHouseEndpoint endpoint() {
        return new ClickHouseEndpoint("http://127.0.0.1:" + httpPort, "default", "");
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(Duration.ofSeconds(20));
        }
        Cleanup.deleteTree(dir);
    }
}
