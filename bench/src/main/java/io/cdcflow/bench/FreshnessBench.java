package io.cdcflow.bench;

import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.FactsFixtures;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.PostgresEndpoint;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stage 5: freshness, PostgreSQL commit to the row in ClickHouse, under fixed offered loads, with the whole pipeline
 * on this machine. Probe orders committed every 100 ms are timed until they appear in ClickHouse.
 */
final class FreshnessBench {
    /** One offered load and what it gave. */
    record Point(int offered, double achieved, double p50, double p95, double p99, int probes, boolean sustained) {
    }

    private final BenchEnv env;
    private final int[] loads;
    private final Duration window;

    FreshnessBench(BenchEnv env, int[] loads, Duration window) {
        this.env = env;
        this.loads = loads;
        this.window = window;
    }

    List<Point> run() throws Exception {
        PostgresEndpoint db = env.database("bench_e2e");
        DemoWorkload demo = new DemoWorkload(db, 7);
        demo.createSchema();
        db.execute("INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 1000) g",
                "INSERT INTO orders (customer_id, total, status) SELECT g % 1000 + 1, g, 'new' FROM generate_series(1, 20000) g");
        ClickHouseEndpoint ch = env.clickhouse.endpoint();
        String kafka = env.kafka().bootstrapServers();
        java.nio.file.Path logs = BenchEnv.scratch("bench-fresh");
        List<Point> points = new ArrayList<>();
        // the three jars as users run them, each in its own JVM and heap, as the backfill stage does: not inside the
        // bench JVM, whose heap, JIT and threads the stages before this one share
        try (Jars jars = new Jars(logs)) {
            jars.start("wal-producer", "1g", "", Map.of("POSTGRES_CDC_DSN", db.dsn(), "KAFKA_BOOTSTRAP_SERVERS", kafka,
                    "POSTGRES_CDC_SLOT", "fresh_slot", "POSTGRES_CDC_TOPIC_PREFIX", "fresh", "POSTGRES_CDC_TOPIC_PARTITIONS", "3",
                    "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + Ports.free()));
            Map<String, String> streamsEnv = new java.util.HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka,
                    "STREAMS_APPLICATION_ID", "fresh-streams", "STREAMS_INPUT_TOPIC_PREFIX", "fresh",
                    "STREAMS_HTTP_ADDR", "127.0.0.1:" + Ports.free(),
                    "STREAMS_FACTS_FILE", FactsFixtures.prefixed(FactsFile.defaultSql(), "fresh").toString(),
                    "STREAMS_STATE_DIR", logs.resolve("state").toString()));
            streamsEnv.putAll(BenchEnv.settings("bench.freshness.env")); // e.g. STREAMS_STATE_STORES=memory, for experiments
            jars.start("streams-app", "1g", System.getProperty("bench.freshness.streams.jvm", ""), streamsEnv); // e.g. a JFR recording
            jars.start("clickhouse-writer", "1g", "", Map.of("CLICKHOUSE_URL", ch.httpUrl(), "CLICKHOUSE_DATABASE", "fresh",
                    "KAFKA_BOOTSTRAP_SERVERS", kafka, "WRITER_GROUP_ID", "fresh-writer",
                    "WRITER_HTTP_ADDR", "127.0.0.1:" + Ports.free(),
                    "WRITER_TOPICS", "fresh_order_fact,fresh_order_item_fact,fresh_customer_dim,fresh_product_dim",
                    "WRITER_SCHEMA_TOPIC", "fresh._schemas", "WRITER_DEAD_LETTER_TOPIC", "fresh._writer_dead_letter"));
            try (var poller = ch.client()) {
                BenchEnv.await("the seeded orders in ClickHouse", Duration.ofMinutes(10),
                        () -> WriterBench.count(poller, "fresh.fresh_order_fact_current") >= 20_000);
            }
            for (int load : loads) {
                points.add(measure(db, ch, load, jars));
            }
        }
        // the seeded rows, the updates and the probes: what the streams-app wrote to Kafka for them, by topic
        StreamsBench.printInternalTopics(env.kafka(), "fresh-streams-", 21_000 + offered.get());
        return points;
    }

    private Point measure(PostgresEndpoint db, ClickHouseEndpoint ch, int load, Jars jars) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong changes = new AtomicLong();
        Map<String, Long> committed = new ConcurrentHashMap<>();
        Map<String, Long> seen = new ConcurrentHashMap<>();
        // unique per measurement: a load offered twice in one run must not count the first time's probes as seen
        String tag = "probe" + load + "-" + measured.incrementAndGet() + "-";
        Thread generator = BenchEnv.run("load-" + load, () -> {
            Random random = new Random(load);
            // one statement per tick, updating perTick distinct random orders: the same change events (one transaction of
            // perTick row updates every 20 ms) as a statement per row, which left PostgreSQL short of CPU for 20,000/s
            // on this machine beside the pipeline
            try (Connection c = db.connect();
                 java.sql.PreparedStatement s = c.prepareStatement("UPDATE orders SET total = total + 0.01 WHERE id = ANY (?)")) {
                c.setAutoCommit(false);
                long tick = System.nanoTime();
                int perTick = Math.min(20_000, Math.max(1, load / 50));
                while (running.get()) {
                    java.util.Set<Integer> ids = new java.util.HashSet<>();
                    while (ids.size() < perTick) {
                        ids.add(random.nextInt(20_000) + 1);
                    }
                    s.setArray(1, c.createArrayOf("integer", ids.toArray()));
                    int updated = s.executeUpdate();
                    c.commit();
                    changes.addAndGet(updated);
                    tick += 20_000_000L;
                    long sleep = tick - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
            }
        });
        Thread prober = BenchEnv.run("probe-" + load, () -> {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (int i = 0; running.get(); i++) {
                    String status = tag + i;
                    s.execute("INSERT INTO orders (customer_id, total, status) VALUES (1, 1, '" + status + "')");
                    committed.put(status, System.nanoTime());
                    Thread.sleep(100);
                }
            }
        });
        Thread watcher = BenchEnv.run("watch-" + load, () -> {
            try (var client = ch.client()) {
                while (running.get() || seen.size() < committed.size()) {
                    for (String line : ClickHouseEndpoint.query(client, "SELECT DISTINCT status FROM fresh.fresh_order_fact WHERE status LIKE '" + tag + "%'")) {
                        String status = io.cdcflow.common.json.Json.read(line).get("status").asText();
                        seen.putIfAbsent(status, System.nanoTime());
                    }
                    Thread.sleep(20);
                    if (!running.get() && seen.size() < committed.size() && System.nanoTime() - lastStop.get() > 30_000_000_000L) {
                        break;
                    }
                }
            }
        });
        Map<String, Double> cpuBefore = jars.cpuSeconds();
        long started = System.nanoTime();
        Thread.sleep(window.toMillis());
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> cpuAfter = jars.cpuSeconds();
        running.set(false);
        lastStop.set(System.nanoTime());
        generator.join();
        prober.join();
        watcher.join();
        double achieved = changes.get() / seconds;
        offered.addAndGet(changes.get() + committed.size());
        List<Long> delays = new ArrayList<>();
        committed.forEach((status, at) -> {
            Long visible = seen.get(status);
            // the first 2 s warm up the load; a probe never seen counts as the window's length
            if (at - started > 2_000_000_000L) {
                delays.add(visible == null ? window.toMillis() : Math.max(0, (visible - at) / 1_000_000));
            }
        });
        double p99 = Timing.percentile(delays, 99);
        // Sustained: the offered load went in, every probe came out, and the lag did not grow over the window
        // (the median delay of the last third of probes within 250 ms of the first third's).
        List<Long> inOrder = new ArrayList<>();
        committed.entrySet().stream().filter(e -> e.getValue() - started > 2_000_000_000L)
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> inOrder.add(seen.containsKey(e.getKey()) ? (seen.get(e.getKey()) - e.getValue()) / 1_000_000 : window.toMillis()));
        int third = inOrder.size() / 3;
        boolean growing = third > 0 && Timing.percentile(inOrder.subList(inOrder.size() - third, inOrder.size()), 50)
                > Timing.percentile(inOrder.subList(0, third), 50) + 250;
        Point point = new Point(load, achieved, Timing.percentile(delays, 50), Timing.percentile(delays, 95), p99, delays.size(),
                achieved >= 0.95 * load && seen.size() == committed.size() && !growing);
        System.out.printf("[bench] freshness at %d changes/s offered (%.0f achieved): p50 %.0f ms, p95 %.0f ms, p99 %.0f ms%n",
                load, achieved, point.p50(), point.p95(), point.p99());
        // where the machine's 2 cores went in the window: the pipeline's jars and the servers (what earlier stages
        // left running shows as the servers' share)
        System.out.printf("[bench] freshness at %d changes/s: CPU seconds over the %.0f s window %s%n", load, seconds,
                Jars.cpuBetween(cpuBefore, cpuAfter));
        return point;
    }

    private final AtomicLong lastStop = new AtomicLong();
    /** The loads measured so far in this run. */
    private final java.util.concurrent.atomic.AtomicInteger measured = new java.util.concurrent.atomic.AtomicInteger();
    /** The changes made in PostgreSQL by every load so far: updates and probes. */
    private final AtomicLong offered = new AtomicLong();
}
