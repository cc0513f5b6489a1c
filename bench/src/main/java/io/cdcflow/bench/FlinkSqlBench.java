package io.cdcflow.bench;

import io.cdcflow.testsupport.KafkaEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * The peer of the join stage: Flink SQL in an embedded MiniCluster (parallelism = cores) reading the same change
 * topics as {@link StreamsBench} and writing the same two facts to Kafka with regular joins. Each source keeps the
 * newest change per key by (commit_lsn, seq), as the streams-app does (a Top-1 rank), drops deleted rows, and the
 * facts go to upsert-kafka topics. Heap state, no checkpoints (Flink's fastest setting; the streams-app's default
 * is exactly-once), mini-batching on. A benchmark dependency only.
 */
final class FlinkSqlBench {
    private final BenchEnv env;
    private final JoinWorkload workload;

    FlinkSqlBench(BenchEnv env, JoinWorkload workload) {
        this.env = env;
        this.workload = workload;
    }

    List<Measurement> run() throws Exception {
        KafkaEndpoint kafka = env.kafka();
        String outputs = workload.prefix + "_flink";
        kafka.createTopics(4, outputs + "_order_fact", outputs + "_order_item_fact");
        int parallelism = Runtime.getRuntime().availableProcessors();
        Configuration conf = new Configuration();
        conf.setString("parallelism.default", Integer.toString(parallelism));
        conf.setString("table.exec.resource.default-parallelism", Integer.toString(parallelism));
        conf.setString("table.exec.mini-batch.enabled", "true");
        conf.setString("table.exec.mini-batch.allow-latency", "200 ms");
        conf.setString("table.exec.mini-batch.size", "5000");
        conf.setString("state.backend.type", "hashmap");
        conf.setString("taskmanager.memory.process.size", "1600m");
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        String bootstrap = kafka.bootstrapServers();
        source(tables, "customers", "id INT, name STRING, email STRING", bootstrap);
        source(tables, "products", "id INT, name STRING, category STRING, price DECIMAL(10, 2)", bootstrap);
        source(tables, "orders", "id INT, customer_id INT, total DECIMAL(12, 2), status STRING, created_at STRING", bootstrap);
        source(tables, "order_items", "id INT, order_id INT, product_id INT, quantity INT, price DECIMAL(10, 2)", bootstrap);
        tables.executeSql(sink(outputs + "_order_fact", "order_id INT, customer_id INT, customer_name STRING, customer_email STRING, "
                + "total DECIMAL(12, 2), status STRING, created_at STRING, PRIMARY KEY (order_id) NOT ENFORCED", bootstrap));
        tables.executeSql(sink(outputs + "_order_item_fact", "order_item_id INT, order_id INT, customer_id INT, product_id INT, "
                + "product_name STRING, product_category STRING, quantity INT, price DECIMAL(10, 2), line_total DECIMAL(21, 2), "
                + "order_status STRING, PRIMARY KEY (order_item_id) NOT ENFORCED", bootstrap));
        StatementSet job = tables.createStatementSet();
        job.addInsertSql("INSERT INTO `" + outputs + "_order_fact` SELECT o.id, o.customer_id, c.name, c.email, o.total, o.status, o.created_at "
                + "FROM orders o LEFT JOIN customers c ON o.customer_id = c.id");
        job.addInsertSql("INSERT INTO `" + outputs + "_order_item_fact` SELECT i.id, i.order_id, o.customer_id, i.product_id, p.name, "
                + "p.category, i.quantity, i.price, CAST(i.quantity * i.price AS DECIMAL(21, 2)), o.status FROM order_items i "
                + "LEFT JOIN products p ON i.product_id = p.id LEFT JOIN orders o ON i.order_id = o.id");
        Map<String, Double> threadsBefore = Timing.cpuByThreadAndProcess(List.of());
        long started = System.nanoTime();
        TableResult submitted = job.execute();
        // start-up ends when the job is RUNNING (its tasks deployed), as the streams-app's ends at KafkaStreams RUNNING
        long running = -1;
        org.apache.flink.core.execution.JobClient flinkJob = submitted.getJobClient().orElseThrow();
        while (running < 0) {
            org.apache.flink.api.common.JobStatus status = flinkJob.getJobStatus().get();
            if (status == org.apache.flink.api.common.JobStatus.RUNNING) {
                running = System.nanoTime();
            } else if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink SQL job ended before running: " + status);
            } else {
                Thread.sleep(20);
            }
        }
        long complete;
        long first;
        java.util.function.Function<String, Measurement> after = null;
        try (JoinWorkload.Progress progress = new JoinWorkload.Progress(kafka, outputs + "_order_fact", outputs + "_order_item_fact")) {
            complete = progress.awaitComplete(workload, Duration.ofMinutes(20));
            System.out.printf("[bench] fact records out: %,d for %,d facts%n", progress.records, workload.orders + workload.items);
            first = progress.firstNanos;
            // as the streams-app's runs print theirs: the JIT compiler's share beside the job's own threads
            System.out.println("[bench] CPU seconds by thread: " + Timing.cpuSpent(threadsBefore, Timing.cpuByThreadAndProcess(List.of())));
            if (complete >= 0) {
                after = workload.timeAfter(kafka, progress, " flink");
            }
        } finally {
            submitted.getJobClient().ifPresent(client -> client.cancel());
        }
        if (complete < 0) {
            return List.of();
        }
        String system = "Flink SQL " + org.apache.flink.runtime.util.EnvironmentInformation.getVersion() + ", MiniCluster, parallelism "
                + parallelism + " (peer)";
        if (workload.after != JoinWorkload.After.NOTHING) {
            return after == null ? List.of() : List.of(after.apply(system));
        }
        double startup = (running - started) / 1e9;
        double processing = (complete - running) / 1e9;
        double firstFact = (first - started) / 1e9;
        System.out.printf("[bench] Flink SQL: start-up %.1f s, first fact at %.1f s, %,.0f events/s over %.1f s%n", startup, firstFact,
                workload.events() / processing, processing);
        return List.of(new Measurement("join", system, workload.events(), processing, -1, String.format(Locale.ROOT,
                "the same topics and facts; regular joins over Top-1-by-LSN sources, upsert-kafka sinks; heap state, no checkpoints, "
                        + "mini-batch 200 ms; RUNNING to every fact complete; start-up (to RUNNING) %.1f s, first fact at %.1f s", startup, firstFact)));
    }

    /** A change topic as a table of its newest live rows: the newest event per key by (commit_lsn, seq), deletes dropped. */
    private void source(TableEnvironment tables, String table, String columns, String bootstrap) {
        tables.executeSql("CREATE TABLE " + table + "_changes (payload ROW<" + columns + ">, "
                + "`_metadata` ROW<operation STRING, commit_lsn_int BIGINT, seq BIGINT>) WITH ("
                + "'connector' = 'kafka', 'topic' = '" + workload.topic(table) + "', 'properties.bootstrap.servers' = '" + bootstrap + "', "
                + "'properties.group.id' = 'bench-flink', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json', "
                + "'json.fail-on-missing-field' = 'false', 'json.ignore-parse-errors' = 'true')");
        String names = String.join(", ", java.util.Arrays.stream(columns.split(",\\s*(?![^()]*\\))"))
                .map(c -> "payload." + c.trim().split("\\s+")[0] + " AS " + c.trim().split("\\s+")[0]).toList());
        String plain = String.join(", ", java.util.Arrays.stream(columns.split(",\\s*(?![^()]*\\))")).map(c -> c.trim().split("\\s+")[0]).toList());
        tables.executeSql("CREATE TEMPORARY VIEW " + table + " AS SELECT " + plain + " FROM (SELECT " + names + ", `_metadata`.operation AS op, "
                + "ROW_NUMBER() OVER (PARTITION BY payload.id ORDER BY `_metadata`.commit_lsn_int DESC, `_metadata`.seq DESC) AS rn "
                + "FROM " + table + "_changes) WHERE rn = 1 AND op <> 'delete'");
    }

    private static String sink(String topic, String columns, String bootstrap) {
        return "CREATE TABLE `" + topic + "` (" + columns + ") WITH ('connector' = 'upsert-kafka', 'topic' = '" + topic + "', "
                + "'properties.bootstrap.servers' = '" + bootstrap + "', 'key.format' = 'json', 'value.format' = 'json')";
    }
}
