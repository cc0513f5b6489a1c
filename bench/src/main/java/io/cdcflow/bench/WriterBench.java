package io.cdcflow.bench;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.sink.TopicSink;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Stage 4: rows per second from a Kafka topic into ClickHouse, against clickhouse-client's bulk insert of the same rows. */
final class WriterBench {
    /** The servers sharing the machine, as their command lines name them. */
    private static final List<String> SERVERS = List.of("clickhouse-server", "clickhouse", "kafka.Kafka");

    private final BenchEnv env;
    private final int rows;

    WriterBench(BenchEnv env, int rows) {
        this.env = env;
        this.rows = rows;
    }

    List<Measurement> run() throws Exception {
        ClickHouseEndpoint ch = env.clickhouse.endpoint();
        // A warm-up run on other rows first: the measured run then sees JIT-compiled code, as a deployable that has
        // been running for a while would. clickhouse-client, a native binary, needs none.
        int warmUp = rows;
        fill("bench_warm_up", warmUp, null);
        double[] warm = timeWriter(ch, "bench_warm_up", warmUp);
        System.out.printf("[bench] writer warm-up: %d rows/s%n", Math.round(warmUp / warm[0]));

        // Each side's best of several runs: the machine is shared, and the fastest run is the one least disturbed.
        Path file = BenchEnv.scratch("bench-rows").resolve("rows.json");
        double[] ours = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            String topic = "bench_order_fact_" + attempt;
            fill(topic, rows, attempt == 1 ? file : null);
            quiesce(ch);
            double[] run = timeWriter(ch, topic, rows);
            System.out.println("[bench] writer: " + Math.round(rows / run[0]) + " rows/s");
            ours = Timing.faster(ours, run);
        }
        double[] bulk = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (var client = ch.client()) {
                client.execute("CREATE TABLE bench.bulk_copy_" + attempt + " AS bench.bench_order_fact_1").get().close();
            }
            quiesce(ch);
            double[] run = Timing.command("clickhouse-client --host 127.0.0.1 --port " + env.clickhouse.tcpPort()
                    + " --query 'INSERT INTO bench.bulk_copy_" + attempt + " (order_id, customer_id, customer_name, customer_email, total, "
                    + "status, created_at, _version, _deleted) FORMAT JSONEachRow' < " + file, Map.of(), Duration.ofMinutes(20));
            System.out.println("[bench] clickhouse-client: " + Math.round(rows / run[0]) + " rows/s");
            bulk = Timing.faster(bulk, run);
        }
        return List.of(
                new Measurement("clickhouse", "clickhouse-client bulk insert (limit)", rows, bulk[0], bulk[1],
                        "one JSONEachRow file, native protocol; best of 3"),
                new Measurement("clickhouse", "clickhouse-writer (ours)", rows, ours[0], ours[1],
                        "from Kafka (JSON), batched TabSeparated INSERTs over HTTP, offsets committed after each; "
                                + "after a warm-up run, best of 2"));
    }

    /** Puts {@code count} order facts on a new topic, and the same rows into {@code file} for clickhouse-client. */
    private void fill(String topic, int count, Path file) throws Exception {
        KafkaEndpoint kafka = env.kafka();
        kafka.createTopics(3, topic);
        String schema = io.cdcflow.testsupport.TestSchemas.publish(kafka, "cdc._schemas", io.cdcflow.testsupport.TestSchemas.ORDER_FACT);
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             BufferedWriter out = file == null ? null : Files.newBufferedWriter(file)) {
            for (int id = 1; id <= count; id++) {
                String value = "{\"order_id\":" + id + ",\"customer_id\":" + (id % 1000) + ",\"customer_name\":\"customer " + (id % 1000)
                        + "\",\"customer_email\":\"c" + (id % 1000) + "@example.com\",\"total\":" + (id % 900) + ".25,\"status\":\"paid\","
                        + "\"created_at\":\"2026-11-24T10:00:00Z\",\"_version\":" + id + ",\"_deleted\":0}";
                producer.send(io.cdcflow.testsupport.TestSchemas.record(topic, schema, "{\"order_id\":" + id + "}", value), (metadata, error) -> {
                            if (error != null) {
                                failed.compareAndSet(null, error);
                            }
                        });
                if (out != null) {
                    // clickhouse-client gets the same row in the form its server parses
                    out.write(value.replace("2026-11-24T10:00:00Z", "2026-11-24 10:00:00"));
                    out.newLine();
                }
            }
        }
        if (failed.get() != null) {
            throw new IllegalStateException("Kafka did not take every bench row for " + topic, failed.get());
        }
    }

    /** A writer from start to every row of {@code topic} in ClickHouse: {wall seconds, CPU seconds of this JVM}. */
    private double[] timeWriter(ClickHouseEndpoint ch, String topic, int count) throws Exception {
        Metrics metrics = new Metrics();
        Map<String, String> vars = new java.util.HashMap<>(Map.of("CLICKHOUSE_URL", ch.httpUrl(), "CLICKHOUSE_DATABASE", "bench",
                "KAFKA_BOOTSTRAP_SERVERS", env.kafka().bootstrapServers(), "WRITER_TOPICS", topic, "WRITER_GROUP_ID", "bench-" + topic,
                "WRITER_HTTP_ADDR", "127.0.0.1:0"));
        vars.putAll(BenchEnv.settings("bench.writer.env")); // e.g. -Dbench.writer.env=WRITER_BATCH_ROWS=200000, for experiments
        TopicSink sink = new TopicSink(WriterConfig.from(new Env(vars)), metrics);
        try (var poller = ch.client()) {
            Map<String, Double> cpuBefore = Timing.cpuByThreadAndProcess(SERVERS);
            double cpu = Timing.processCpuSeconds();
            long started = System.nanoTime();
            Thread loop = BenchEnv.run("writer", sink::run);
            BenchEnv.await("the first rows in ClickHouse", Duration.ofMinutes(5), () -> count(poller, "bench." + topic) > 0);
            double first = (System.nanoTime() - started) / 1e9;
            BenchEnv.await("all rows in ClickHouse", Duration.ofMinutes(20), () -> count(poller, "bench." + topic) >= count);
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuUsed = Timing.processCpuSeconds() - cpu;
            System.out.println("[bench] writer: CPU seconds meanwhile: " + Timing.cpuSpent(cpuBefore, Timing.cpuByThreadAndProcess(SERVERS)));
            System.out.printf("[bench] writer: first rows visible after %.2f s, all after %.2f s; %.2f s inside INSERTs%n", first, seconds,
                    metrics.counter("writer_insert_milliseconds_total", "", "table").get(topic) / 1000.0);
            sink.stop();
            loop.join(30_000);
            sink.close();
            return new double[] {seconds, cpuUsed};
        }
    }

    /** Waits for ClickHouse's background merges of earlier inserts to finish, so they do not run during a measurement. */
    private static void quiesce(ClickHouseEndpoint ch) throws InterruptedException {
        try (var client = ch.client()) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && count(client, "system.merges") > 0) {
                Thread.sleep(100);
            }
        }
        Thread.sleep(500);
    }

    static long count(com.clickhouse.client.api.Client client, String table) {
        try {
            return Long.parseLong(ClickHouseEndpoint.query(client, "SELECT count() AS n FROM " + table).get(0).replaceAll("\\D", ""));
        } catch (RuntimeException notYet) {
            return 0;
        }
    }
}
