package io.cdcflow.bench;

import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.wal.WalProducer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Stage 2: the initial snapshot of a table, against COPY (SELECT ...) TO STDOUT of the same table. */
final class SnapshotBench {
    private final BenchEnv env;
    private final long rows;

    SnapshotBench(BenchEnv env, long rows) {
        this.env = env;
        this.rows = rows;
    }

    List<Measurement> run() throws Exception {
        PostgresEndpoint db = env.database("bench_snapshot");
        db.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(12,2), status text, "
                        + "created_at timestamptz DEFAULT now())",
                "INSERT INTO orders SELECT g, g % 1000, g * 0.37, 'status ' || (g % 7), now() FROM generate_series(1, " + rows + ") g",
                "VACUUM ANALYZE orders");
        // Each side's best of several runs, as for the other stages.
        double[] copy = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            double[] run = Timing.command("psql -h 127.0.0.1 -p " + db.port() + " -U postgres -d bench_snapshot -c "
                    + "'COPY (SELECT * FROM orders) TO STDOUT' > /dev/null", Map.of(), Duration.ofMinutes(20));
            System.out.println("[bench] COPY: " + Math.round(rows / run[0]) + " rows/s");
            copy = Timing.faster(copy, run);
        }
        double[] ours = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            WalProducer producer = env.walProducer(db, Map.of("POSTGRES_CDC_TABLES", "orders", "POSTGRES_CDC_SLOT", "snap_slot_" + attempt,
                    "POSTGRES_CDC_TOPIC_PREFIX", "snap" + attempt, "POSTGRES_CDC_SNAPSHOT_BATCH_ROWS", "20000"));
            double cpu = Timing.processCpuSeconds();
            long started = System.nanoTime();
            BenchEnv.run("snapshot", producer::runSession);
            BenchEnv.await("the snapshot", Duration.ofMinutes(30), () -> producer.health().ready());
            double[] run = {(System.nanoTime() - started) / 1e9, Timing.processCpuSeconds() - cpu};
            producer.stop();
            System.out.println("[bench] snapshot: " + Math.round(rows / run[0]) + " rows/s");
            ours = Timing.faster(ours, run);
        }
        return List.of(
                new Measurement("snapshot", "COPY TO STDOUT (limit)", rows, copy[0], copy[1], "psql to /dev/null; best of 3"),
                new Measurement("snapshot", "wal-producer snapshot (ours)", rows, ours[0], ours[1],
                        "slot creation, exported snapshot, JSON, Kafka acks=all; best of 2"));
    }
}
