package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalPostgres;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Waiting;
import io.cdcflow.wal.WalProducer;
import io.cdcflow.wal.config.WalProducerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class SecurityIT {
    private static final String SECRET = "hunter2-do-not-log";

    @Test
    void walProducerStreamsOverTlsWithVerifyFull(KafkaEndpoint kafka) throws Exception {
        try (LocalPostgres tlsServer = LocalPostgres.startWithTls()) {
            PostgresEndpoint pg = tlsServer.endpoint();
            pg.execute("CREATE TABLE customers (id int PRIMARY KEY, name text)");
            String dsn = "postgres://postgres@localhost:" + pg.port() + "/postgres?sslmode=verify-full&sslrootcert=" + tlsServer.certificate();
            WalProducer producer = new WalProducer(config(dsn, kafka, "tls"), new Metrics());
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    producer.runSession();
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            thread.start();
            try {
                assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(100), () -> producer.health().ready()))
                        .as("streaming over TLS (%s)", failure.get()).isTrue();
                assertThat(pg.queryString("SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s ON s.pid = r.pid WHERE s.ssl"))
                        .isEqualTo("1");
            } finally {
                producer.stop();
                thread.join(30_000);
            }

            // a certificate that does not match what the client trusts is refused
            Path otherRoot = Files.createTempFile("not-the-root", ".crt");
            new ProcessBuilder("openssl", "req", "-new", "-x509", "-days", "1", "-nodes", "-subj", "/CN=other",
                    "-keyout", otherRoot + ".key", "-out", otherRoot.toString()).redirectErrorStream(true).start().waitFor();
            String untrusted = "postgres://postgres@localhost:" + pg.port() + "/postgres?sslmode=verify-full&sslrootcert=" + otherRoot;
            WalProducer refused = new WalProducer(config(untrusted, kafka, "tls_refused"), new Metrics());
            Exception error = null;
            try {
                refused.runSession();
            } catch (Exception e) {
                error = e;
            }
            assertThat(error).isNotNull();
            assertThat(error.getMessage()).containsIgnoringCase("PostgreSQL");
        }
    }

    private static WalProducerConfig config(String dsn, KafkaEndpoint kafka, String name) {
        return WalProducerConfig.from(new Env(Map.of("POSTGRES_CDC_DSN", dsn, "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "POSTGRES_CDC_TABLES", "customers", "POSTGRES_CDC_SLOT", name + "_slot", "POSTGRES_CDC_TOPIC_PREFIX", name,
                "POSTGRES_CDC_CONNECT_ATTEMPTS", "2", "POSTGRES_CDC_CONNECT_INTERVAL", "100ms")));
    }

    @Test
    void noSecretAppearsInTheLogsOfAFailingStart() throws Exception {
        int closed = Ports.free();
        Path logs = Files.createTempDirectory("secrets");
        Map<String, Map<String, String>> deployables = Map.of(
                "wal-producer", Map.of("POSTGRES_CDC_DSN", "postgres://cdc:" + SECRET + "@127.0.0.1:" + closed + "/app?sslmode=disable",
                        "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed, "POSTGRES_CDC_CONNECT_ATTEMPTS", "3",
                        "POSTGRES_CDC_CONNECT_INTERVAL", "200ms", "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + Ports.free()),
                "streams-app", Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed, "STREAMS_HTTP_TOKEN", SECRET,
                        "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\""
                                + SECRET + "\";", "STREAMS_HTTP_ADDR", "127.0.0.1:" + Ports.free(),
                        "STREAMS_STATE_DIR", logs.resolve("state").toString()),
                "clickhouse-writer", Map.of("CLICKHOUSE_URL", "http://127.0.0.1:" + closed, "CLICKHOUSE_PASSWORD", SECRET,
                        "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed, "WRITER_HTTP_ADDR", "127.0.0.1:" + Ports.free()));
        for (Map.Entry<String, Map<String, String>> d : deployables.entrySet()) {
            Path log = logs.resolve(d.getKey() + ".log");
            try (Deployable deployable = new Deployable(d.getKey(), d.getValue(), 0, log)) {
                deployable.start();
                Thread.sleep(6000);
            }
            String output = Files.readString(log);
            assertThat(output).as("%s logged something", d.getKey()).isNotBlank();
            assertThat(output).as("%s log", d.getKey()).doesNotContain(SECRET);
        }
        assertThat(Files.readString(logs.resolve("wal-producer.log"))).contains("waiting for PostgreSQL at 127.0.0.1:" + closed);
        assertThat(Files.readString(logs.resolve("clickhouse-writer.log"))).contains("ClickHouse at http://127.0.0.1:" + closed);
    }
}
