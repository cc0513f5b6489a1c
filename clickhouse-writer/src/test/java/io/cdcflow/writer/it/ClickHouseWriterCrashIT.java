package io.cdcflow.writer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.JarProcess;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TestSchemas;
import io.cdcflow.testsupport.Waiting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built writer jar, killed with SIGKILL in the middle of its batches, then restarted: every row lands, and the
 * restarted writer gets its partitions back at once (static membership), not after its old session expired.
 */
@ExtendWith(RealServices.class)
class ClickHouseWriterCrashIT {
    private static final Path JAR = Path.of("target", "clickhouse-writer.jar");
    private static final int ROWS = 30_000;

    @Test
    void killMinusNineMidBatchLosesNothing(ClickHouseEndpoint ch, KafkaEndpoint kafka) throws Exception {
        assertThat(JAR).as("the shaded jar, built by mvn package").exists();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "order_fact_" + run;
        String database = "crash_" + run;
        kafka.createTopics(3, topic);
        String schema = TestSchemas.publish(kafka, "cdc._schemas", TestSchemas.ORDER_FACT);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int id = 1; id <= ROWS; id++) {
                String value = "{\"order_id\":" + id + ",\"customer_name\":\"c" + id + "\",\"total\":" + id + ".25,\"status\":\"new\","
                        + "\"_version\":" + id + ",\"_deleted\":0}";
                producer.send(TestSchemas.record(topic, schema, "{\"order_id\":" + id + "}", value));
            }
        }
        Map<String, String> env = Map.of("CLICKHOUSE_URL", ch.httpUrl(), "CLICKHOUSE_USER", ch.user(),
                "CLICKHOUSE_PASSWORD", ch.password(), "CLICKHOUSE_DATABASE", database, "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "WRITER_TOPICS", topic, "WRITER_GROUP_ID", "crash-" + run, "WRITER_BATCH_ROWS", "500",
                "WRITER_HTTP_ADDR", "127.0.0.1:" + Ports.free(),
                // longer than the whole restart may take: only a writer rejoining as itself gets its partitions in time
                "KAFKA_SESSION_TIMEOUT_MS", "90000");
        Path log = Files.createTempFile("writer-crash", ".log");
        String count = "SELECT count() AS n FROM " + database + "." + topic + "_current";
        Process first = start(env, log);
        try {
            assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(20), () -> rows(ch, count) > 0))
                    .as("the writer starts writing; log %s", log).isTrue();
            ch.execute("SYSTEM STOP MERGES " + database + "." + topic); // a merge would hide a row written twice
        } finally {
            first.destroyForcibly().waitFor();
        }
        long atKill = rows(ch, count);
        long assignedBefore = assignments(log);
        long restarted = System.nanoTime();
        Process second = start(env, log);
        try {
            assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(100), () -> assignments(log) > assignedBefore))
                    .as("the restarted writer is assigned its partitions before its old 90 s session could expire; log %s", log)
                    .isTrue();
            System.out.printf("restarted writer assigned its partitions %.1f s after its start%n", (System.nanoTime() - restarted) / 1e9);
            assertThat(Waiting.until(Duration.ofSeconds(120), Duration.ofMillis(500), () -> rows(ch, count) == ROWS))
                    .as("all %d rows after the restart (%d when killed); log %s", ROWS, atKill, log).isTrue();
            String sum = ch.query("SELECT sum(toFloat64(total)) AS s FROM " + database + "." + topic + "_current").get(0);
            assertThat(io.cdcflow.common.json.Json.read(sum).get("s").asDouble()).isEqualTo(ROWS * (ROWS + 1L) / 2 + ROWS * 0.25);
            // rows the killed writer landed without committing are read again, and left out
            assertThat(rows(ch, "SELECT count() AS n FROM " + database + "." + topic)).as("each row once").isEqualTo(ROWS);
        } finally {
            second.destroy();
            second.waitFor();
        }
    }

    /** The non-empty assignments the writers logged so far. */
    private static long assignments(Path log) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains("assigned [") && !l.contains("assigned []")).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static long rows(ClickHouseEndpoint ch, String sql) {
        try {
            String row = ch.query(sql).get(0);
            return Long.parseLong(row.replaceAll("\\D", ""));
        } catch (RuntimeException tableNotThereYet) {
            return 0;
        }
    }

    private static Process start(Map<String, String> env, Path log) throws Exception {
        return JarProcess.start(JAR, env, log);
    }
}
