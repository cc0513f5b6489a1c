package io.cdcflow.wal.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.JarProcess;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * The built wal-producer jar, killed with SIGKILL while COPY and multi-row inserts (many changes sharing one LSN)
 * stream through it, then restarted: every row still arrives.
 */
@ExtendWith(RealServices.class)
class WalProducerCrashIT {
    private static final Path JAR = Path.of("target", "wal-producer.jar");

    @Test
    void killMinusNineMidStreamLosesNothing(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        assertThat(JAR).as("the shaded jar, built by mvn package").exists();
        PostgresEndpoint db = server.createDatabase("wal_crash");
        db.execute("CREATE TABLE items (id bigint PRIMARY KEY, batch int NOT NULL, note text)",
                "INSERT INTO items SELECT i, 0, 'seed' FROM generate_series(1, 2000) i");
        int httpPort = Ports.free();
        Map<String, String> env = Map.of(
                "POSTGRES_CDC_DSN", db.dsn(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "POSTGRES_CDC_TABLES", "items",
                "POSTGRES_CDC_TOPIC_PREFIX", "crash",
                "POSTGRES_CDC_SLOT", "crash_slot",
                "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + httpPort,
                "POSTGRES_CDC_STATUS_INTERVAL", "500ms");
        Path log = Files.createTempFile("wal-producer-crash", ".log");

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            long next = 100_000;
            try (Connection c = db.connect()) {
                var copy = c.unwrap(PGConnection.class).getCopyAPI();
                for (int batch = 1; writing.get(); batch++) {
                    StringBuilder rows = new StringBuilder();
                    for (int i = 0; i < 500; i++) {
                        rows.append(next++).append('\t').append(batch).append("\tcopied\n");
                    }
                    copy.copyIn("COPY items FROM STDIN", new StringReader(rows.toString()));
                    try (var s = c.createStatement()) {
                        s.execute("INSERT INTO items SELECT g, " + batch + ", 'multi' FROM generate_series(" + next + ", " + (next + 99) + ") g");
                        next += 100;
                        s.execute("UPDATE items SET note = 'updated " + batch + "' WHERE id % 97 = " + (batch % 97));
                        s.execute("DELETE FROM items WHERE id % 101 = " + (batch % 101) + " AND batch < " + batch);
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                writerFailure.set(e);
            }
        }, "writer");

        Process first = start(env, log);
        try {
            awaitReady(httpPort, first);
            writer.start();
            Thread.sleep(2500);
            first.destroyForcibly().waitFor();
            Thread.sleep(1000);
        } finally {
            first.destroyForcibly();
        }
        Process second = start(env, log);
        try {
            awaitReady(httpPort, second);
            Thread.sleep(1500);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();

            String expected = db.queryString("SELECT json_agg(t ORDER BY id) FROM items t");
            String topic = "crash.public.items";
            try (TopicReader reader = new TopicReader(kafka, List.of(topic))) {
                List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(Duration.ofSeconds(90),
                        rs -> new ChangeLog(rs, topic).state().equals(ChangeLog.rowsOf(expected, "id")));
                ChangeLog changes = new ChangeLog(records, topic);
                java.util.Set<String> missing = new java.util.TreeSet<>(ChangeLog.rowsOf(expected, "id").keySet());
                missing.removeAll(changes.state().keySet());
                java.util.Set<String> extra = new java.util.TreeSet<>(changes.state().keySet());
                extra.removeAll(ChangeLog.rowsOf(expected, "id").keySet());
                assertThat(missing).as("rows in PostgreSQL but not in Kafka (%d events read)", changes.events.size()).isEmpty();
                assertThat(extra).as("rows in Kafka but deleted in PostgreSQL").isEmpty();
                Map<String, com.fasterxml.jackson.databind.node.ObjectNode> want = ChangeLog.rowsOf(expected, "id");
                List<String> wrong = changes.state().entrySet().stream().filter(e -> !e.getValue().equals(want.get(e.getKey())))
                        .map(e -> e.getKey() + ": got " + e.getValue() + ", PostgreSQL has " + want.get(e.getKey())).limit(5).toList();
                assertThat(wrong).as("rows that differ from PostgreSQL").isEmpty();
            }
        } finally {
            second.destroy();
            second.waitFor();
        }
    }

    private static Process start(Map<String, String> env, Path log) throws Exception {
        return JarProcess.start(JAR, env, log);
    }

    private static void awaitReady(int port, Process process) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        boolean ready = Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(200), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("wal-producer exited");
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(ready).as("wal-producer /ready within 90s").isTrue();
    }
}
