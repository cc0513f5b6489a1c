package io.cdcflow.bench;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.EventMetadata;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.TestSchemas;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.sink.TopicSink;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The writer mirroring hot keys, as pgbench's transactions make them: each updates one of 10 branch rows and one of
 * 100 teller rows. Timed from the writer's start until both mirrors show every key's last balance, beside
 * clickhouse-client inserting every change as a row (what a sink that writes each change does, at the native
 * protocol's speed). The writer inserts the newest change of each key per batch.
 */
final class HotKeyMirrorBench {
    private static final String PREFIX = "hk";
    private static final int BRANCHES = 10;
    private static final int TELLERS = 100;

    private final BenchEnv env;
    private final int transactions;

    HotKeyMirrorBench(BenchEnv env, int transactions) {
        this.env = env;
        this.transactions = transactions;
    }

    private static RowSchema table(String name, String key, String balance) {
        return RowSchema.table("public", name, 1, List.of(new Column(key, SqlTypes.INT4, true), new Column(balance, SqlTypes.INT4, false),
                new Column("filler", SqlTypes.TEXT, false)), List.of(key));
    }

    List<Measurement> run() throws Exception {
        ClickHouseEndpoint ch = env.clickhouse.endpoint();
        KafkaEndpoint kafka = env.kafka();
        String branches = PREFIX + ".public.pgbench_branches";
        String tellers = PREFIX + ".public.pgbench_tellers";
        kafka.createTopics(3, branches, tellers);
        String branchSchema = TestSchemas.publish(kafka, PREFIX + "._schemas", table("pgbench_branches", "bid", "bbalance"));
        String tellerSchema = TestSchemas.publish(kafka, PREFIX + "._schemas", table("pgbench_tellers", "tid", "tbalance"));
        Path file = BenchEnv.scratch("bench-hot-keys").resolve("changes.tsv");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < transactions; i++) {
                long lsn = 1_000 + i;
                int bid = i % BRANCHES + 1;
                int tid = i % TELLERS + 1;
                producer.send(TestSchemas.record(branches, branchSchema, "{\"bid\":" + bid + "}", event("pgbench_branches", "bid", bid, "bbalance", i, lsn)));
                producer.send(TestSchemas.record(tellers, tellerSchema, "{\"tid\":" + tid + "}", event("pgbench_tellers", "tid", tid, "tbalance", i, lsn)));
                out.write(bid + "\t" + i + "\tfiller\t" + lsn + "\t0\n");
                out.write(tid + "\t" + i + "\tfiller\t" + lsn + "\t0\n");
            }
        }
        long expectedBranches = lastBalances(BRANCHES);
        long expectedTellers = lastBalances(TELLERS);

        Metrics metrics = new Metrics();
        Map<String, String> vars = new java.util.HashMap<>(Map.of("CLICKHOUSE_URL", ch.httpUrl(), "CLICKHOUSE_DATABASE", "hot_keys",
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "WRITER_TOPICS", PREFIX + ".public.*", "WRITER_GROUP_ID", "bench-hot-keys",
                "WRITER_HTTP_ADDR", "127.0.0.1:0"));
        vars.putAll(BenchEnv.settings("bench.writer.env"));
        TopicSink sink = new TopicSink(WriterConfig.from(new Env(vars)), metrics);
        double[] ours;
        try (var poller = ch.client()) {
            double cpu = Timing.processCpuSeconds();
            long started = System.nanoTime();
            Thread loop = BenchEnv.run("writer", sink::run);
            BenchEnv.await("every key's last balance in ClickHouse", Duration.ofMinutes(20),
                    () -> sum(poller, "hot_keys.pgbench_branches_current", "bbalance") == expectedBranches
                            && sum(poller, "hot_keys.pgbench_tellers_current", "tbalance") == expectedTellers);
            ours = new double[] {(System.nanoTime() - started) / 1e9, Timing.processCpuSeconds() - cpu};
            sink.stop();
            loop.join(30_000);
            sink.close();
        }
        Metrics.Counter rows = metrics.counter("writer_rows_written_total", "", "table");
        Metrics.Counter inserts = metrics.counter("writer_batches_written_total", "", "table");
        double rowsWritten = rows.get("pgbench_branches") + rows.get("pgbench_tellers");
        double batches = inserts.get("pgbench_branches") + inserts.get("pgbench_tellers");
        System.out.printf("[bench] hot keys: %d changes in %.2f s; %.0f rows inserted in %.0f INSERTs (%.4f rows per change)%n",
                2L * transactions, ours[0], rowsWritten, batches, rowsWritten / (2.0 * transactions));

        double[] bulk = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (var client = ch.client()) {
                client.execute("CREATE TABLE hot_keys.bulk_" + attempt + " AS hot_keys.pgbench_branches").get().close();
            }
            double[] run = Timing.command("clickhouse-client --host 127.0.0.1 --port " + env.clickhouse.tcpPort()
                    + " --query 'INSERT INTO hot_keys.bulk_" + attempt + " (bid, bbalance, filler, _version, _deleted) FORMAT TabSeparated' < "
                    + file, Map.of(), Duration.ofMinutes(20));
            bulk = Timing.faster(bulk, run);
        }
        long changes = 2L * transactions;
        return List.of(
                new Measurement("hot-key mirror", "clickhouse-client, every change as a row (limit)", changes, bulk[0], bulk[1],
                        "one TabSeparated file, native protocol; best of 3"),
                new Measurement("hot-key mirror", String.format("clickhouse-writer (ours): %.4f rows inserted per change", rowsWritten / changes),
                        changes, ours[0], ours[1], "pgbench-like: each transaction updates 1 of 10 branches and 1 of 100 tellers; "
                                + "from the writer's start to every key's last balance in <table>_current"));
    }

    /** The change event of one update, as the wal-producer writes it. */
    private static String event(String table, String keyColumn, int key, String balanceColumn, int balance, long lsn) {
        EventMetadata meta = new EventMetadata(table, "public", Operation.UPDATE, new Lsn(lsn), new Lsn(lsn), 0, lsn, Instant.EPOCH, List.of(), null);
        ChangeEvent event = new ChangeEvent(Json.object().put(keyColumn, key), meta,
                Json.object().put(keyColumn, key).put(balanceColumn, balance).put("filler", "filler"), null);
        return new String(ChangeEventCodec.valueBytes(event), StandardCharsets.UTF_8);
    }

    /** The sum of each key's last balance: key k last changed in the last transaction i with i % keys == k - 1. */
    private long lastBalances(int keys) {
        long sum = 0;
        for (int k = 0; k < keys && k < transactions; k++) {
            sum += transactions - 1 - ((transactions - 1 - k) % keys);
        }
        return sum;
    }

    private static long sum(com.clickhouse.client.api.Client client, String table, String column) {
        try {
            return Long.parseLong(ClickHouseEndpoint.query(client, "SELECT toString(sum(" + column + ")) AS s FROM " + table).get(0)
                    .replaceAll("[^0-9]", ""));
        } catch (RuntimeException notYet) {
            return -1;
        }
    }
}
