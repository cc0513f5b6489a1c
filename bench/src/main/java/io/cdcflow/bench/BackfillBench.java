package io.cdcflow.bench;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole pipeline's backfill: the seed's four tables already filled in PostgreSQL (about {@code rows} rows in all),
 * the three deployables started as the jars users run, each in its own JVM, and the clock stopped when every
 * {@code *_current} view in ClickHouse holds as many rows as its PostgreSQL table or view. Reported against the
 * wal-producer's own snapshot of the same tables into Kafka, alone, just before in the same run (until it reports
 * ready), with each deployable's peak RSS.
 */
final class BackfillBench {
    /** JVM options for every jar of the stage, the snapshot alone's too (-Dbench.backfill.jvm=...), for experiments. */
    private static final String JVM = System.getProperty("bench.backfill.jvm", "");

    private final BenchEnv env;
    private final long rows;

    BackfillBench(BenchEnv env, long rows) {
        this.env = env;
        this.rows = rows;
    }

    /**
     * The wal-producer's snapshot of the same tables alone on the machine (its own slot and topics, removed after): the
     * rate the pipeline is measured against. Timed beside the pipeline instead, it would take longer the more the
     * other jars work while it runs, and the pipeline's ratio would look better for it.
     */
    private double snapshotAlone(PostgresEndpoint db, String kafka, Path logs) throws Exception {
        int port = io.cdcflow.testsupport.Ports.free();
        long started = System.nanoTime();
        double seconds;
        try (Jars alone = new Jars(logs.resolve("alone"))) {
            java.nio.file.Files.createDirectories(logs.resolve("alone"));
            Map<String, Double> cpuBefore = alone.cpuSeconds(); // the servers' only: the jar has not started
            alone.start("wal-producer", "1g", JVM, Map.of("POSTGRES_CDC_DSN", db.dsn(), "KAFKA_BOOTSTRAP_SERVERS", kafka,
                    "POSTGRES_CDC_TOPIC_PREFIX", "bfalone", "POSTGRES_CDC_SLOT", "backfill_alone_slot",
                    "POSTGRES_CDC_PUBLICATION", "backfill_alone_pub", "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + port,
                    "POSTGRES_CDC_FACTS_FILE", "none")); // the tables' rows only: the rate the backfill is measured against
            BenchEnv.await("the wal-producer's snapshot alone", Duration.ofMinutes(30), () -> Jars.ready(port));
            seconds = (System.nanoTime() - started) / 1e9;
            // the CPU the pipeline's run is measured against: what the whole pipeline may spend at the goal's ratio
            System.out.printf("[bench] backfill: the snapshot alone's CPU seconds %s%n", Jars.cpuBetween(cpuBefore, alone.cpuSeconds()));
        }
        System.out.printf("[bench] backfill: the wal-producer's snapshot alone is in Kafka after %.1f s%n", seconds);
        db.execute("SELECT pg_drop_replication_slot('backfill_alone_slot')", "DROP PUBLICATION backfill_alone_pub");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            List<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith("bfalone.")).toList();
            admin.deleteTopics(topics).all().get();
        }
        return seconds;
    }

    List<Measurement> run() throws Exception {
        PostgresEndpoint db = env.database("bench_backfill");
        long customers = Math.max(1000, rows / 20);
        long products = Math.max(100, rows / 200);
        long orders = Math.max(1000, (rows - customers - products) / 3);
        long items = orders * 2;
        db.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, notes text)",
                "CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, category text, price numeric(10,2))",
                "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int, total numeric(12,2) NOT NULL, status text NOT NULL, "
                        + "created_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE order_items (id serial PRIMARY KEY, order_id int NOT NULL, product_id int, quantity int NOT NULL, "
                        + "price numeric(10,2) NOT NULL)",
                "INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, " + customers + ") g",
                "INSERT INTO products (name, category, price) SELECT 'product ' || g, (ARRAY['office','garden','kitchen'])[g % 3 + 1], "
                        + "(g % 500) + 0.99 FROM generate_series(1, " + products + ") g",
                "INSERT INTO orders (customer_id, total, status) SELECT g % " + customers + " + 1, (g % 1000) + 0.5, 'new' "
                        + "FROM generate_series(1, " + orders + ") g",
                "INSERT INTO order_items (order_id, product_id, quantity, price) SELECT g % " + orders + " + 1, g % " + products + " + 1, "
                        + "g % 4 + 1, (g % 100) + 0.25 FROM generate_series(1, " + items + ") g",
                "VACUUM ANALYZE");
        long total = customers + products + orders + items;
        System.out.printf("[bench] backfill: %,d rows in PostgreSQL (%,d customers, %,d products, %,d orders, %,d order items)%n",
                total, customers, products, orders, items);
        ClickHouseEndpoint ch = env.clickhouse.endpoint();
        Path logs = BenchEnv.scratch("bench-backfill");
        int walPort = io.cdcflow.testsupport.Ports.free();
        int streamsPort = io.cdcflow.testsupport.Ports.free();
        int writerPort = io.cdcflow.testsupport.Ports.free();
        String kafka = env.kafka().bootstrapServers();
        Map<String, Map<String, String>> deployables = new LinkedHashMap<>();
        Map<String, String> wal = new LinkedHashMap<>(Map.of("POSTGRES_CDC_DSN", db.dsn(), "KAFKA_BOOTSTRAP_SERVERS", kafka,
                "POSTGRES_CDC_TOPIC_PREFIX", "bf", "POSTGRES_CDC_SLOT", "backfill_slot", "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + walPort));
        // by default the snapshot's facts are computed by PostgreSQL (the built-in facts, the streams-app's default);
        // -Dbench.backfill.export=false: every fact computed by the streams-app, as before the export
        boolean export = Boolean.parseBoolean(System.getProperty("bench.backfill.export", "true"));
        if (!export) {
            wal.put("POSTGRES_CDC_FACTS_FILE", "none");
        }
        deployables.put("wal-producer", wal);
        deployables.put("streams-app", Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka, "STREAMS_INPUT_TOPIC_PREFIX", "bf",
                "STREAMS_APPLICATION_ID", "bench-backfill", "STREAMS_STATE_DIR", logs.resolve("state").toString(),
                "STREAMS_HTTP_ADDR", "127.0.0.1:" + streamsPort));
        deployables.put("clickhouse-writer", Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka, "CLICKHOUSE_URL", ch.httpUrl(),
                "CLICKHOUSE_DATABASE", "backfill", "WRITER_SCHEMA_TOPIC", "bf._schemas", "WRITER_HTTP_ADDR", "127.0.0.1:" + writerPort));
        double aloneSeconds = snapshotAlone(db, kafka, logs);
        Map<String, Long> peak = new LinkedHashMap<>();
        List<Measurement> backfilled;
        Map<String, Long> expected = Map.of("order_fact", orders, "order_item_fact", items, "customer_dim", customers, "product_dim", products);
        long started = System.nanoTime();
        try (Jars jars = new Jars(logs)) {
            Map<String, Double> cpuBefore = jars.cpuSeconds(); // the servers' only: no jar has started
            Map<String, Process> processes = jars.processes();
            // -Dbench.backfill.streams.heap=3g: the streams-app's heap, for STREAMS_STATE_STORES=memory experiments;
            // -Dbench.backfill.streams.jvm="-XX:StartFlightRecording=filename=/tmp/backfill.jfr,settings=profile": a profile
            String streamsHeap = System.getProperty("bench.backfill.streams.heap", "1g");
            String streamsJvm = (JVM + " " + System.getProperty("bench.backfill.streams.jvm", "")).trim();
            for (Map.Entry<String, Map<String, String>> d : deployables.entrySet()) {
                boolean streams = d.getKey().equals("streams-app");
                Map<String, String> settings = new LinkedHashMap<>(d.getValue());
                settings.putAll(BenchEnv.settings("bench.backfill.env")); // e.g. STREAMS_LOCAL_TABLES=..., for experiments
                d.setValue(settings);
                // -Dbench.backfill.clickhouse-writer.jvm=..., -Dbench.backfill.wal-producer.jvm=...: one jar's own (a profile)
                String own = (JVM + " " + System.getProperty("bench.backfill." + d.getKey() + ".jvm", "")).trim();
                jars.start(d.getKey(), streams ? streamsHeap : "1g", streams ? streamsJvm : own, settings);
            }
            // the streams-app's progress through each topic it reads, every 10 s: a topic that trails the others shows here
            Thread progress = BenchEnv.run("backfill-progress", () -> GroupProgress.print(env.kafka(), "bench-backfill", started));
            long snapshotted;
            long done;
            long caughtUp;
            try {
                BenchEnv.await("the wal-producer's snapshot", Duration.ofMinutes(30), () -> Jars.ready(walPort));
                snapshotted = System.nanoTime();
                System.out.printf("[bench] backfill: the wal-producer's snapshot is in Kafka after %.1f s; CPU seconds so far %s, of them "
                        + "the JIT compiler threads' %s%n", (snapshotted - started) / 1e9, Jars.cpuBetween(cpuBefore, jars.cpuSeconds()),
                        processes.entrySet().stream().map(p -> String.format(Locale.ROOT, "%s %.1f", p.getKey(),
                                Timing.threadCpu(p.getValue().pid()).getOrDefault(Timing.JIT_THREADS, 0.0))).toList());
                // one held client: a new one per count, polled every 20 ms, would load the machine being measured
                try (var poller = ch.client()) {
                    CurrentViews views = new CurrentViews(poller, "backfill", expected);
                    BenchEnv.await("every current view", Duration.ofMinutes(60), () -> {
                        processes.forEach((name, p) -> peak.merge(name, Jars.rssMb(p.pid()), Math::max));
                        return views.complete();
                    });
                    System.out.printf("[bench] backfill: the clock's own queries: %s%n", views.finalCounts());
                }
                done = System.nanoTime();
                // the streams-app's fold of the snapshot (with the export, after the facts are complete): changes made
                // meanwhile wait for it
                try (var admin = env.kafka().admin()) {
                    List<String> sources = List.of("bf.public.customers", "bf.public.products", "bf.public.orders", "bf.public.order_items");
                    BenchEnv.await("the streams-app's reading of the snapshot", Duration.ofMinutes(60),
                            () -> {
                                try {
                                    Thread.sleep(200); // the admin's questions, not 50 a second
                                    return GroupProgress.caughtUp(admin, "bench-backfill", sources);
                                } catch (Exception e) {
                                    throw new IllegalStateException("cannot read the streams-app's progress: " + e.getMessage(), e);
                                }
                            });
                }
                caughtUp = System.nanoTime();
                System.out.printf("[bench] backfill: the streams-app read the whole snapshot after %.1f s%n", (caughtUp - started) / 1e9);
            } finally {
                progress.interrupt();
            }
            // where the time went: each jar's CPU seconds, and the servers' during the backfill, on 2 cores
            System.out.printf("[bench] backfill: CPU seconds %s over %.1f s%n", Jars.cpuBetween(cpuBefore, jars.cpuSeconds()),
                    (done - started) / 1e9);
            // and the streams-app's by thread: its stream threads (named after the application id), the JIT, GC, I/O
            System.out.printf("[bench] backfill: the streams-app's CPU seconds by thread: %s%n",
                    Timing.threadCpu(processes.get("streams-app").pid()).entrySet().stream().filter(e -> e.getValue() >= 0.5)
                            .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                            .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())).toList());
            // the JIT's share of each jar: cold JVMs compile their hot paths during the backfill, paid once per start
            List<String> jit = processes.entrySet().stream().map(p -> String.format(Locale.ROOT, "%s %.1f", p.getKey(),
                    Timing.threadCpu(p.getValue().pid()).getOrDefault(Timing.JIT_THREADS, 0.0))).toList();
            System.out.printf("[bench] backfill: CPU seconds of each jar's JIT compiler threads: %s%n", jit);
            String restored = restoreWithoutLocalState(jars, streamsHeap, streamsJvm, deployables.get("streams-app"), streamsPort,
                    logs.resolve("state"));
            double snapshotSeconds = (snapshotted - started) / 1e9;
            double pipelineSeconds = (done - started) / 1e9;
            System.out.printf("[bench] backfill: every current view complete after %.1f s (%,.0f rows/s; %.2f of the snapshot's rate "
                    + "alone, %.2f of its rate beside the pipeline)%n", pipelineSeconds, total / pipelineSeconds, aloneSeconds / pipelineSeconds,
                    snapshotSeconds / pipelineSeconds);
            // what the streams-app wrote to Kafka for it, by topic (its changelogs and join topics; the facts are the writer's input)
            double internal = StreamsBench.printInternalTopics(env.kafka(), "bench-backfill-", total);
            String perFact = StreamsBench.printFactTopics(env.kafka(), expected);
            List<Measurement> measurements = new ArrayList<>();
            measurements.add(new Measurement("backfill", "wal-producer snapshot into Kafka (first stage)", total, aloneSeconds, -1,
                    String.format(Locale.ROOT, "the jar alone, started on the filled tables until /ready (snapshot acknowledged by Kafka), "
                            + "just before the pipeline in the same run; beside the pipeline it took %.1f s", snapshotSeconds)));
            measurements.add(new Measurement("backfill", "whole pipeline, PostgreSQL to ClickHouse (ours)", total, pipelineSeconds, -1,
                    String.format(Locale.ROOT, "the three jars started together until every *_current view holds its rows; %.2f of the first "
                            + "stage's rate (goal 0.35); peak RSS MB %s; the streams-app wrote %.2f records per row to its internal topics, and "
                            + "records per row of each view to the fact topics: %s; the JIT's compiler threads, CPU s: %s; %s", aloneSeconds / pipelineSeconds,
                            peak, internal, perFact, jit, restored)));
            measurements.add(new Measurement("backfill", "streams-app caught up with the snapshot (its fold, same run)", total, (caughtUp - started) / 1e9, -1,
                    String.format(Locale.ROOT, "the same run, until the streams-app's group committed the end of every source topic: "
                            + "%.2f of the snapshot's rate alone; %s", aloneSeconds / ((caughtUp - started) / 1e9),
                            export ? "the facts came from the wal-producer's export (POSTGRES_CDC_FACTS_FILE, its default), the streams-app folded "
                                    + "the snapshot into its state" : "no export: every fact computed by the streams-app")));
            backfilled = measurements;
        }
        backfilled.add(straightLimit(db, ch, expected.keySet(), total, aloneSeconds));
        return backfilled;
    }

    /**
     * The floor of any backfill of these facts on this machine, timed after the pipeline with no jar running: PostgreSQL
     * computing each view (the default facts, created as the plain PostgreSQL views they are) and ClickHouse taking its
     * rows into a table of the writer's own structure, with nothing between but bytes: {@code COPY (SELECT ...) TO STDOUT}
     * streamed into {@code INSERT ... FORMAT TabSeparated}, timestamps and booleans put in ClickHouse's text form by the
     * query, a constant version. What a design that loads the snapshot's facts from PostgreSQL could reach at best.
     */
    private Measurement straightLimit(PostgresEndpoint db, ClickHouseEndpoint ch, java.util.Set<String> views, long rows,
                                      double aloneSeconds) throws Exception {
        db.execute(io.cdcflow.streams.facts.FactsFile.defaultSql());
        ch.execute("CREATE DATABASE IF NOT EXISTS backfill_limit");
        Map<String, String> selects = new LinkedHashMap<>();
        try (java.sql.Connection c = db.connect(); java.sql.PreparedStatement viewColumns = c.prepareStatement(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")) {
            for (String view : views) {
                ch.execute("DROP TABLE IF EXISTS backfill_limit." + view);
                ch.execute("CREATE TABLE backfill_limit." + view + " AS backfill." + view);
                List<String> columns = new ArrayList<>();
                List<String> expressions = new ArrayList<>();
                viewColumns.setString(1, view);
                try (java.sql.ResultSet rs = viewColumns.executeQuery()) {
                    while (rs.next()) {
                        String column = rs.getString(1);
                        String quoted = "\"" + column + "\"";
                        columns.add("`" + column + "`");
                        expressions.add(switch (rs.getString(2)) {
                            case "timestamp with time zone" -> "to_char(" + quoted + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')";
                            case "timestamp without time zone" -> "to_char(" + quoted + ", 'YYYY-MM-DD HH24:MI:SS')";
                            case "boolean" -> quoted + "::int";
                            default -> quoted;
                        });
                    }
                }
                columns.add("`_version`");
                expressions.add("1");
                columns.add("`_deleted`");
                expressions.add("0");
                selects.put("backfill_limit." + view + " (" + String.join(", ", columns) + ")",
                        "COPY (SELECT " + String.join(", ", expressions) + " FROM " + view + ") TO STDOUT");
            }
        }
        Map<String, Double> cpuBefore = Timing.processCpu(Timing.SERVERS);
        double benchCpuBefore = Timing.processCpuSeconds();
        long started = System.nanoTime();
        try (java.sql.Connection pg = db.connect(); com.clickhouse.client.api.Client client = ch.client()) {
            org.postgresql.copy.CopyManager copies = pg.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            for (Map.Entry<String, String> load : selects.entrySet()) {
                java.io.PipedInputStream in = new java.io.PipedInputStream(1 << 20);
                java.io.PipedOutputStream out = new java.io.PipedOutputStream(in);
                java.util.concurrent.CompletableFuture<Long> copied = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try (out) {
                        return copies.copyOut(load.getValue(), out);
                    } catch (Exception e) {
                        throw new IllegalStateException(load.getValue() + ": " + e.getMessage(), e);
                    }
                });
                client.insert(load.getKey(), in, com.clickhouse.data.ClickHouseFormat.TabSeparated).get(10, java.util.concurrent.TimeUnit.MINUTES).close();
                copied.get(1, java.util.concurrent.TimeUnit.MINUTES);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        List<String> cpu = new ArrayList<>(Jars.cpuBetween(cpuBefore, Timing.processCpu(Timing.SERVERS)));
        cpu.add(String.format(Locale.ROOT, "the bench's streaming %.1f", Timing.processCpuSeconds() - benchCpuBefore));
        long landed = 0;
        try (com.clickhouse.client.api.Client client = ch.client()) {
            for (String view : views) {
                landed += WriterBench.count(client, "backfill_limit." + view);
            }
        }
        System.out.printf("[bench] backfill: the views straight from PostgreSQL into ClickHouse (the floor of any backfill): %,d rows in "
                + "%.1f s, %.2f of the snapshot's rate alone; CPU seconds %s%n", landed, seconds, aloneSeconds / seconds, cpu);
        ch.execute("DROP DATABASE backfill_limit");
        return new Measurement("backfill", "views straight from PostgreSQL into ClickHouse (limit)", rows, seconds, -1,
                String.format(Locale.ROOT, "COPY of each default view's SELECT streamed into INSERT ... FORMAT TabSeparated, after the "
                        + "pipeline, no jar running; %,d rows landed; %.2f of the first stage's rate; CPU s %s", landed, aloneSeconds / seconds, cpu));
    }

    /**
     * The streams-app stopped after the backfill and started again with its state directory removed (a new instance,
     * a lost disk), timed to {@code /ready} (RUNNING: every task's stores restored from their changelogs and topics):
     * what rebuilding the backfill's state costs when no processing is done, beside the processing that built it.
     */
    private static String restoreWithoutLocalState(Jars jars, String heap, String jvm, Map<String, String> settings, int port,
                                                   Path stateDir) throws Exception {
        Process first = jars.processes().get("streams-app");
        first.destroy();
        first.waitFor();
        org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
        Map<String, Double> cpuBefore = jars.cpuSeconds();
        cpuBefore.put("streams-app", 0.0); // the new process's all counts
        long started = System.nanoTime();
        jars.start("streams-app", heap, jvm, settings);
        BenchEnv.await("the streams-app restored without local state", Duration.ofMinutes(30), () -> {
            if (!jars.processes().get("streams-app").isAlive()) {
                throw new IllegalStateException("the streams-app exited while restoring; log " + stateDir.resolveSibling("streams-app.log"));
            }
            return Jars.ready(port);
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        List<String> cpu = Jars.cpuBetween(cpuBefore, jars.cpuSeconds()).stream().filter(c -> !c.startsWith("wal-producer")
                && !c.startsWith("clickhouse-writer")).toList();
        System.out.printf("[bench] backfill: the streams-app restarted with its state directory removed: RUNNING (every store "
                + "restored from Kafka) after %.1f s; CPU seconds %s%n", seconds, cpu);
        return String.format(Locale.ROOT, "the streams-app restarted with no local state: every store restored from Kafka, RUNNING "
                + "after %.1f s", seconds);
    }
}
