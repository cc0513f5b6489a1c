package io.cdcflow.bench;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouse;
import io.cdcflow.testsupport.LocalKafka;
import io.cdcflow.testsupport.LocalPostgres;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.Waiting;
import io.cdcflow.wal.WalProducer;
import io.cdcflow.wal.config.WalProducerConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The services of one benchmark run, and helpers shared by the stages. */
final class BenchEnv implements AutoCloseable {
    final LocalPostgres postgres;
    final LocalKafka kafka;
    final LocalClickHouse clickhouse;

    BenchEnv() throws Exception {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        clickhouse = LocalClickHouse.start();
    }

    PostgresEndpoint database(String name) {
        return postgres.endpoint().createDatabase(name);
    }

    KafkaEndpoint kafka() {
        return kafka.endpoint();
    }

    /** A wal-producer in this JVM; {@code settings} override the defaults. */
    WalProducer walProducer(PostgresEndpoint db, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_CDC_DSN", db.dsn());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka().bootstrapServers());
        env.put("POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:0");
        env.put("POSTGRES_CDC_FACTS_FILE", "none"); // the snapshot stage times the tables' rows alone
        env.putAll(settings);
        return new WalProducer(WalProducerConfig.from(new Env(env)), new Metrics());
    }

    /** A temporary folder, deleted with everything in it when the benchmark's services close. */
    static java.nio.file.Path scratch(String prefix) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
        SCRATCH.add(dir);
        return dir;
    }

    private static final java.util.List<java.nio.file.Path> SCRATCH = new java.util.concurrent.CopyOnWriteArrayList<>();

    static Thread run(String name, ThrowingRunnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                System.err.println("[bench] " + name + " failed: " + e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Settings for a deployable from a system property such as {@code -Dbench.join.env=KAFKA_X=1;KAFKA_Y=2}, for experiments. */
    static Map<String, String> settings(String property) {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        for (String setting : System.getProperty(property, "").split(";")) {
            if (setting.contains("=")) {
                vars.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }
        return vars;
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        if (!Waiting.until(timeout, Duration.ofMillis(20), condition)) {
            throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Removes what the stages before left on the servers, so that a stage is not measured beside their leftovers: their
     * topics (the broker's log cleaner compacts them for minutes after), ClickHouse databases (merges of their parts),
     * PostgreSQL databases with their idle replication slots (WAL kept for them), and scratch folders (RocksDB state).
     * What is in use stays, and is named.
     */
    void clearEarlierStages() throws Exception {
        int topics;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers()))) {
            java.util.Set<String> names = admin.listTopics().names().get();
            topics = names.size();
            if (!names.isEmpty()) {
                admin.deleteTopics(names).all().get();
            }
        }
        var ch = clickhouse.endpoint();
        java.util.List<String> chDatabases = ch.query("SELECT name FROM system.databases WHERE name NOT IN ('system', 'default')").stream()
                .map(line -> io.cdcflow.common.json.Json.read(line).get("name").asText()).toList();
        chDatabases.forEach(db -> ch.execute("DROP DATABASE `" + db + "`"));
        PostgresEndpoint pg = postgres.endpoint();
        pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active");
        String listed = pg.queryString("SELECT coalesce(string_agg(datname, ','), '') FROM pg_database WHERE datname NOT IN "
                + "('postgres', 'template0', 'template1', current_database())");
        int pgDatabases = 0;
        for (String db : listed.isEmpty() ? new String[0] : listed.split(",")) {
            try {
                pg.execute("DROP DATABASE \"" + db + "\" WITH (FORCE)");
                pgDatabases++;
            } catch (RuntimeException inUse) {
                System.out.println("[bench] PostgreSQL database " + db + " kept: " + inUse.getMessage());
            }
        }
        deleteScratch();
        System.out.println("[bench] cleared what earlier stages left: " + topics + " topics, " + chDatabases.size()
                + " ClickHouse databases, " + pgDatabases + " PostgreSQL databases");
    }

    @Override
    public void close() {
        clickhouse.close();
        kafka.close();
        postgres.close();
        deleteScratch();
    }

    private static void deleteScratch() {
        if (Boolean.getBoolean("bench.keep")) { // -Dbench.keep=true: the jars' logs and state stay, to read after a run
            SCRATCH.forEach(dir -> System.err.println("[bench] kept " + dir));
            SCRATCH.clear();
            return;
        }
        for (java.nio.file.Path dir : SCRATCH) {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
            }
        }
        SCRATCH.clear();
    }
}
