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

    @Override
    public void close() {
        clickhouse.close();
        kafka.close();
        postgres.close();
        for (java.nio.file.Path dir : SCRATCH) {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
            }
        }
    }
}
