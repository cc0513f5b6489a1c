package io.cdcflow.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The whole pipeline on one machine, for {@code ./cdcflow up}: PostgreSQL, a Kafka broker and ClickHouse as local
 * processes, the three built jars, and a demo workload shaped like the seed's example apps. It prints progress, then
 * the proof (rows in ClickHouse's fact views, the commit-to-ClickHouse delay, the /ready URLs), and keeps everything
 * running until it is stopped (SIGTERM from {@code ./cdcflow down}), when it stops every process it started.
 */
public final class LocalPipeline {

    private LocalPipeline() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path run = Files.createDirectories(root.resolve("run"));
        List<AutoCloseable> started = new ArrayList<>();
        List<ManagedProcess> deployables = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping");
            deployables.forEach(p -> p.stop(Duration.ofSeconds(20)));
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception ignored) {
                    // stopping anyway
                }
            }
            stop.countDown();
            say("stopped");
        }));

        say("starting PostgreSQL (wal_level=logical)");
        LocalPostgres pg = LocalPostgres.start();
        started.add(pg);
        say("starting the Kafka broker (KRaft)");
        LocalKafka kafka = LocalKafka.start();
        started.add(kafka);
        say("starting ClickHouse");
        LocalClickHouse ch = LocalClickHouse.start();
        started.add(ch);

        PostgresEndpoint db = pg.endpoint().createDatabase("app_db");
        DemoWorkload workload = new DemoWorkload(db, System.nanoTime());
        workload.createSchema();
        workload.seed();
        say("created the demo tables customers, products, orders, order_items in " + db.dsn());

        Map<String, Integer> ports = Map.of("wal-producer", 4195, "streams-app", 8081, "clickhouse-writer", 8082);
        // the data endpoints (/facts, /topology, POST /snapshot) need a bearer token: one per start, in run/http-token
        byte[] secret = new byte[16];
        new java.security.SecureRandom().nextBytes(secret);
        String token = java.util.HexFormat.of().formatHex(secret);
        Files.writeString(run.resolve("http-token"), token);
        Map<String, Map<String, String>> env = new LinkedHashMap<>();
        env.put("wal-producer", Map.of("POSTGRES_CDC_DSN", db.dsn(), "KAFKA_BOOTSTRAP_SERVERS", kafka.endpoint().bootstrapServers(),
                "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + ports.get("wal-producer"), "POSTGRES_CDC_HTTP_TOKEN", token));
        env.put("streams-app", Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.endpoint().bootstrapServers(),
                "STREAMS_STATE_DIR", run.resolve("streams-state").toString(), "STREAMS_HTTP_ADDR", "127.0.0.1:" + ports.get("streams-app"),
                "STREAMS_HTTP_TOKEN", token));
        env.put("clickhouse-writer", Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.endpoint().bootstrapServers(),
                "CLICKHOUSE_URL", ch.endpoint().httpUrl(), "WRITER_HTTP_ADDR", "127.0.0.1:" + ports.get("clickhouse-writer")));
        for (Map.Entry<String, Map<String, String>> d : env.entrySet()) {
            say("starting " + d.getKey() + " (log: run/" + d.getKey() + ".log)");
            deployables.add(startJar(root, run, d.getKey(), d.getValue()));
        }
        for (String name : env.keySet()) {
            String url = "http://127.0.0.1:" + ports.get(name) + "/ready";
            if (!Waiting.until(Duration.ofSeconds(180), Duration.ofMillis(500), () -> Waiting.answers(url))) {
                throw new IllegalStateException(name + " is not ready after 180s; see run/" + name + ".log");
            }
            say(name + " is ready: " + url);
        }

        Thread load = new Thread(() -> {
            while (stop.getCount() > 0) {
                workload.run(5);
                Waiting.sleep(250);
            }
        }, "demo-workload");
        load.setDaemon(true);
        load.start();

        ClickHouseEndpoint clickhouse = ch.endpoint();
        Waiting.until(Duration.ofSeconds(120), Duration.ofSeconds(1), () -> !clickhouse.query("SELECT count() AS n FROM cdc.order_item_fact_current").isEmpty());
        long delay = freshness(db, clickhouse);
        StringBuilder proof = new StringBuilder("\n== the pipeline is running ==\n");
        proof.append("order_fact_current:      ").append(clickhouse.query("SELECT count() AS rows FROM cdc.order_fact_current").get(0)).append('\n');
        clickhouse.query("SELECT order_id, customer_name, total, status FROM cdc.order_fact_current ORDER BY order_id DESC LIMIT 3")
                .forEach(r -> proof.append("  ").append(r).append('\n'));
        proof.append("order_item_fact_current: ").append(clickhouse.query("SELECT count() AS rows FROM cdc.order_item_fact_current").get(0)).append('\n');
        clickhouse.query("SELECT order_item_id, product_name, product_category, line_total, order_status FROM cdc.order_item_fact_current "
                + "ORDER BY order_item_id DESC LIMIT 3").forEach(r -> proof.append("  ").append(r).append('\n'));
        proof.append("freshness: a committed order was visible in ClickHouse after ").append(delay).append(" ms\n");
        ports.forEach((name, port) -> proof.append("ready: http://127.0.0.1:").append(port).append("/ready (").append(name).append(")\n"));
        proof.append("a fact:     curl -H \"Authorization: Bearer $(cat run/http-token)\" http://127.0.0.1:8081/facts/order_fact/1\n");
        proof.append("PostgreSQL: ").append(db.dsn()).append('\n');
        proof.append("Kafka:      ").append(kafka.endpoint().bootstrapServers()).append('\n');
        proof.append("ClickHouse: ").append(clickhouse.httpUrl()).append("  (database cdc)\n");
        proof.append("stop with:  ./cdcflow down\n");
        Files.writeString(run.resolve("proof.txt"), proof);
        System.out.println(proof);
        say("READY");
        stop.await();
    }

    /** Milliseconds from the commit of a new order to its row in order_fact_current. */
    private static long freshness(PostgresEndpoint db, ClickHouseEndpoint ch) {
        String marker = "probe-" + System.nanoTime();
        long committed = System.nanoTime();
        db.execute("INSERT INTO orders (customer_id, total, status) VALUES (1, 1.00, '" + marker + "')");
        Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(20),
                () -> !ch.query("SELECT order_id FROM cdc.order_fact_current WHERE status = '" + marker + "'").isEmpty());
        return (System.nanoTime() - committed) / 1_000_000;
    }

    private static ManagedProcess startJar(Path root, Path run, String name, Map<String, String> env) throws IOException {
        Path jar = root.resolve(name).resolve("target").resolve(name + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (mvn -B -ntp package -DskipTests)");
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString());
        return ManagedProcess.start(name, command, env, run.resolve(name + ".log"), "TERM");
    }

    private static void say(String message) {
        System.out.println("[cdcflow] " + message);
        System.out.flush();
    }
}
