package io.cdcflow.e2e;

import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.FactsFixtures;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.PostgresEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The three deployables wired together with names of their own, so several pipelines can share the services: the
 * facts file's views are renamed {@code <run>_<view>} for the streams-app, so each run has its own output topics and
 * ClickHouse tables.
 */
final class Pipeline implements AutoCloseable {
    /**
     * A facts file and the tables it reads.
     *
     * @param tables the wal-producer's POSTGRES_CDC_TABLES, or null for its default (the seed's four tables)
     */
    record Facts(String sql, String tables) {
        static Facts defaults() {
            return new Facts(FactsFile.defaultSql(), null);
        }

        static Facts file(String path, String tables) {
            try {
                return new Facts(Files.readString(Path.of(path)), tables);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        List<String> views() {
            return FactsFile.parse(sql, "facts").views().stream().map(FactsFile.View::name).toList();
        }
    }

    final String run = "e" + UUID.randomUUID().toString().substring(0, 8);
    final String database = run;
    final Deployable walProducer;
    final Deployable streamsApp;
    final Deployable writer;
    /** Second instances, sharing the work of the first through the consumer groups: started only when asked. */
    final Deployable streamsApp2;
    final Deployable writer2;
    final Path logs;
    final Facts facts;
    private final Path factsFile;
    private final Map<String, String> walSettings;
    private final Map<String, String> streamsSettings;
    private final Map<String, String> writerSettings;
    private final boolean containers;

    Pipeline(PostgresEndpoint pg, KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        this(pg, kafka, ch, Facts.defaults());
    }

    Pipeline(PostgresEndpoint pg, KafkaEndpoint kafka, ClickHouseEndpoint ch, Facts facts) throws Exception {
        this(pg, kafka, ch, facts, Map.of());
    }

    /** @param streamsSettings settings of the streams-apps beside the pipeline's own (STREAMS_LOCAL_TABLES=none, ...) */
    Pipeline(PostgresEndpoint pg, KafkaEndpoint kafka, ClickHouseEndpoint ch, Facts facts, Map<String, String> streamsSettings)
            throws Exception {
        this(pg, kafka, ch, facts, streamsSettings, Map.of());
    }

    /** @param writerSettings settings of the writers beside the pipeline's own (CLICKHOUSE_CLUSTER, ...) */
    Pipeline(PostgresEndpoint pg, KafkaEndpoint kafka, ClickHouseEndpoint ch, Facts facts, Map<String, String> streamsSettings,
             Map<String, String> writerSettings) throws Exception {
        this(pg, kafka, ch, facts, streamsSettings, writerSettings, false);
    }

    /**
     * @param containers each deployable runs as its container image ({@code LocalImages}, built beforehand) on the
     *                   host's network, instead of its jar as a process
     */
    Pipeline(PostgresEndpoint pg, KafkaEndpoint kafka, ClickHouseEndpoint ch, Facts facts, Map<String, String> streamsSettings,
             Map<String, String> writerSettings, boolean containers) throws Exception {
        this.containers = containers;
        this.facts = facts;
        this.streamsSettings = streamsSettings;
        this.writerSettings = writerSettings;
        logs = Files.createTempDirectory("cdcflow-e2e-" + run);
        factsFile = FactsFixtures.prefixed(facts.sql(), run);
        if (containers) {
            // the images run as their own user (uid 10001): the state goes in logs/, the facts file is read
            Files.setPosixFilePermissions(logs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(factsFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        int walPort = Ports.free();
        int streamsPort = Ports.free();
        int writerPort = Ports.free();
        int streamsPort2 = Ports.free();
        int writerPort2 = Ports.free();
        Map<String, String> wal = new java.util.HashMap<>(Map.of(
                "POSTGRES_CDC_DSN", pg.dsn(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "POSTGRES_CDC_TOPIC_PREFIX", run,
                "POSTGRES_CDC_SLOT", run + "_slot",
                "POSTGRES_CDC_PUBLICATION", run + "_pub",
                "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + walPort,
                "POSTGRES_CDC_HEARTBEAT_INTERVAL", "1s"));
        if (facts.tables() != null) {
            wal.put("POSTGRES_CDC_TABLES", facts.tables());
        }
        // the wal-producer's built-in facts are not this run's (its views are renamed): no export unless asked for
        wal.put("POSTGRES_CDC_FACTS_FILE", "none");
        walSettings = wal;
        walProducer = deployable("wal-producer", "", wal, walPort);
        streamsApp = streams(kafka, streamsPort, "a");
        streamsApp2 = streams(kafka, streamsPort2, "b");
        String outputs = String.join(",", facts.views().stream().map(v -> run + "_" + v).toList());
        writer = writer(kafka, ch, writerPort, "a", outputs, run + "-writer");
        writer2 = writer(kafka, ch, writerPort2, "b", outputs, run + "-writer");
    }

    /** The demo tables with their seed rows in {@code db}, and the workload that changes them. */
    static io.cdcflow.testsupport.DemoWorkload seeded(PostgresEndpoint db, long seed) {
        io.cdcflow.testsupport.DemoWorkload workload = new io.cdcflow.testsupport.DemoWorkload(db, seed);
        workload.createSchema();
        workload.seed();
        return workload;
    }

    /**
     * Rows enough that a backfill lasts seconds: 20,000 orders and 40,000 items beside the seed's, and orders and items
     * pointing at no row (no foreign keys are declared), which a LEFT JOIN must still show.
     */
    static void fillForABackfill(PostgresEndpoint db) {
        db.execute("INSERT INTO orders (customer_id, total, status) SELECT g % 45 + 1, 9.99, 'pending' FROM generate_series(1, 20000) g",
                "INSERT INTO order_items (order_id, product_id, quantity, price) SELECT g % 20120 + 1, g % 16 + 1, g % 3 + 1, 2.50 "
                + "FROM generate_series(1, 40000) g",
                "INSERT INTO orders (customer_id, total, status) SELECT 900000 + g, 1.00, 'orphan' FROM generate_series(1, 30) g",
                "INSERT INTO order_items (order_id, product_id, quantity, price) SELECT 900000 + g, 900000 + g, 1, 1.00 "
                + "FROM generate_series(1, 30) g",
                "ANALYZE");
    }

    /**
     * Starts the wal-producer with {@code held} locked, so its snapshot stops at that table, and kills it once
     * {@code tablesDone} tables are snapshotted: a crash in the middle of a snapshot, at a known place.
     */
    void killWalProducerMidSnapshot(PostgresEndpoint db, String held, int tablesDone) throws Exception {
        try (java.sql.Connection blocker = db.connect(); java.sql.Statement s = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            s.execute("LOCK TABLE " + held + " IN ACCESS EXCLUSIVE MODE");
            walProducer.start();
            if (!io.cdcflow.testsupport.Waiting.until(java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(100),
                    () -> walProducer.get("/metrics").contains("cdc_snapshot_tables_done " + tablesDone))) {
                throw new AssertionError("the wal-producer's snapshot did not reach " + held + " in 60 s; logs in " + logs);
            }
            walProducer.kill();
            blocker.rollback();
        }
    }

    /**
     * The wal-producer exports the facts file's views in its initial snapshot (POSTGRES_CDC_FACTS_FILE, the same file
     * as the streams-apps'): from its next start.
     */
    void exportFacts() {
        walSettings.put("POSTGRES_CDC_FACTS_FILE", factsFile.toString());
    }

    /** A writer of its own mirroring the wal-producer's topics of {@code tables} 1:1, into the same database. */
    Deployable mirror(KafkaEndpoint kafka, ClickHouseEndpoint ch, String... tables) {
        String topics = String.join(",", java.util.Arrays.stream(tables).map(t -> run + ".public." + t).toList());
        return writer(kafka, ch, Ports.free(), "mirror", topics, run + "-mirror");
    }

    private Deployable streams(KafkaEndpoint kafka, int port, String instance) {
        Map<String, String> env = new java.util.HashMap<>(streamsSettings);
        env.putAll(Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()),
                Map.entry("STREAMS_APPLICATION_ID", run + "-streams"),
                Map.entry("STREAMS_INPUT_TOPIC_PREFIX", run),
                Map.entry("STREAMS_STATE_DIR", logs.resolve("streams-state-" + instance).toString()),
                Map.entry("STREAMS_HTTP_ADDR", "127.0.0.1:" + port),
                Map.entry("STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port),
                Map.entry("STREAMS_FACTS_FILE", factsFile.toString()),
                Map.entry("KAFKA_SESSION_TIMEOUT_MS", "10000")));
        return deployable("streams-app", instance, env, port);
    }

    private Deployable writer(KafkaEndpoint kafka, ClickHouseEndpoint ch, int port, String instance, String topics, String group) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "CLICKHOUSE_URL", ch.httpUrl(),
                "CLICKHOUSE_USER", ch.user(),
                "CLICKHOUSE_PASSWORD", ch.password(),
                "CLICKHOUSE_DATABASE", database,
                "WRITER_TOPICS", topics,
                "WRITER_GROUP_ID", group,
                "WRITER_HTTP_ADDR", "127.0.0.1:" + port,
                "WRITER_MAX_BACKOFF", "3s",
                "KAFKA_SESSION_TIMEOUT_MS", "10000"));
        env.put("WRITER_SCHEMA_TOPIC", run + "._schemas");
        env.putAll(writerSettings);
        return deployable("clickhouse-writer", instance, env, port);
    }

    private Deployable deployable(String name, String instance, Map<String, String> env, int port) {
        String id = name + (instance.isEmpty() ? "" : "-" + instance);
        Path log = logs.resolve(id + ".log");
        if (!containers) {
            return new Deployable(name, env, port, log);
        }
        List<Path> mounts = name.equals("streams-app") ? List.of(logs, factsFile) : List.of();
        return Deployable.inContainer(name, env, port, log, run + "-" + id, mounts);
    }

    /** The ClickHouse table of an output ("order_fact" → database.run_order_fact). */
    String table(String output) {
        return database + "." + run + "_" + output;
    }

    void startAll() throws Exception {
        walProducer.start();
        streamsApp.start();
        writer.start();
    }

    void awaitReady() {
        walProducer.awaitReady();
        streamsApp.awaitReady();
        writer.awaitReady();
    }

    @Override
    public void close() throws Exception {
        walProducer.close();
        streamsApp.close();
        writer.close();
        streamsApp2.close();
        writer2.close();
    }
}
