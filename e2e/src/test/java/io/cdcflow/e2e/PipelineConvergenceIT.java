package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouse;
import io.cdcflow.testsupport.LocalKafka;
import io.cdcflow.testsupport.MetricsPage;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Services;
import io.cdcflow.testsupport.Waiting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariant: once the source stops changing and the pipeline drains, every current-state view in ClickHouse
 * equals the same view of the facts file in PostgreSQL, whatever was killed or restarted on the way.
 */
@ExtendWith(RealServices.class)
class PipelineConvergenceIT {
    private static final Duration DRAIN = Duration.ofSeconds(180);
    /** Every join through Kafka (foreign-key joins), where the defaults join these small tables inside each task. */
    private static final Map<String, String> FOREIGN_KEY_JOINS = Map.of("STREAMS_LOCAL_TABLES", "none");

    @Test
    void currentViewsEqualThePostgresJoin(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_plain");
        DemoWorkload workload = Pipeline.seeded(db, 1);
        // rows pointing at no row (no foreign keys declared): answered "no such row", at once or by the scan at the end
        // of the parent's snapshot, whichever comes first
        db.execute("INSERT INTO orders (customer_id, total, status) SELECT 900000 + g, 1.00, 'orphan' FROM generate_series(1, 5) g",
                "INSERT INTO order_items (order_id, product_id, quantity, price) SELECT 900000 + g, 900000 + g, 1, 1.00 "
                        + "FROM generate_series(1, 5) g");
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, Pipeline.Facts.defaults(), FOREIGN_KEY_JOINS)) {
            pipeline.startAll();
            workload.run(150);
            pipeline.awaitReady();
            workload.run(150);
            FactViews.assertConverges(db, ch, pipeline);
            assertThat(pipeline.streamsApp.log()).contains("fact " + pipeline.run + "_order_item_fact: every join through Kafka");
            // the backfill's progress: every source table's snapshot range read to its end, in the log and the metrics
            List<String> tables = List.of("customers", "products", "orders", "order_items");
            assertThat(Waiting.until(Duration.ofSeconds(30), Duration.ofMillis(200), () -> tables.stream()
                    .allMatch(table -> pipeline.streamsApp.log().contains("backfill: the snapshot of " + table + " is read, "))))
                    .as("the streams-app logs each snapshot read:\n%s", pipeline.streamsApp.log()).isTrue();
            String metrics = pipeline.streamsApp.get("/metrics");
            for (String table : tables) {
                double records = MetricsPage.value(metrics, "streams_snapshot_records", table);
                assertThat(records).as("records of the snapshot of %s", table).isPositive();
                assertThat(MetricsPage.value(metrics, "streams_snapshot_records_read", table)).as("read of %s", table).isEqualTo(records);
                assertThat(MetricsPage.value(metrics, "streams_snapshot_remaining_seconds", table)).isZero();
            }
            // exact types from the source schema: NOT NULL stays NOT NULL unless a left join can make it null
            assertThat(types(ch, pipeline, "order_fact")).containsEntry("order_id", "Int32").containsEntry("customer_id", "Nullable(Int32)")
                    .containsEntry("customer_name", "Nullable(String)").containsEntry("total", "Decimal(12, 2)")
                    .containsEntry("status", "String").containsEntry("created_at", "DateTime('UTC')");
            assertThat(types(ch, pipeline, "order_item_fact")).containsEntry("order_item_id", "Int32").containsEntry("order_id", "Int32")
                    .containsEntry("quantity", "Int32").containsEntry("price", "Decimal(10, 2)").containsEntry("line_total", "Decimal(38, 18)")
                    .containsEntry("order_status", "Nullable(String)").containsEntry("product_name", "Nullable(String)");
            assertThat(types(ch, pipeline, "customer_dim")).containsEntry("id", "Int32").containsEntry("name", "String")
                    .containsEntry("email", "Nullable(String)");
        }
    }

    private static Map<String, String> types(ClickHouseEndpoint ch, Pipeline pipeline, String output) {
        String table = pipeline.table(output);
        Map<String, String> types = new java.util.LinkedHashMap<>();
        ch.query("SELECT name, type FROM system.columns WHERE database = '" + table.substring(0, table.indexOf('.'))
                + "' AND table = '" + table.substring(table.indexOf('.') + 1) + "'").forEach(line -> {
                    var row = io.cdcflow.common.json.Json.read(line);
                    types.put(row.get("name").asText(), row.get("type").asText());
                });
        return types;
    }

    @Test
    void currentViewsEqualThePostgresJoinAfterScaleOutKillsAndRestarts(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_faults");
        DemoWorkload workload = Pipeline.seeded(db, 2);
        try (Pipeline pipeline = new Pipeline(db, kafka, ch)) {
            pipeline.startAll();
            pipeline.streamsApp2.start();
            pipeline.writer2.start();
            pipeline.awaitReady();
            pipeline.streamsApp2.awaitReady();
            pipeline.writer2.awaitReady();
            workload.run(60);
            // scale-out: the second streams-app and writer share the partitions; one of each stops mid-load
            pipeline.streamsApp2.close();
            workload.run(40);
            pipeline.writer2.close();
            for (Deployable victim : new Deployable[] {pipeline.walProducer, pipeline.streamsApp, pipeline.writer}) {
                workload.run(60);
                victim.kill();
                workload.run(60);
                victim.start();
                workload.run(30);
            }
            LocalClickHouse clickhouse = Services.localClickHouse().orElse(null);
            if (clickhouse != null) {
                workload.run(40);
                clickhouse.restart();
                workload.run(40);
            }
            LocalKafka broker = Services.localKafka().orElse(null);
            if (broker != null) {
                workload.run(40);
                broker.restart();
                workload.run(40);
            }
            FactViews.assertConverges(db, ch, pipeline);
            // the defaults joined the small tables (all of them, here) inside each task: the kills above hit that path
            assertThat(pipeline.streamsApp.log()).contains("fact " + pipeline.run + "_order_item_fact: joined inside each task: ");
        }
    }

    @Test
    void currentViewsEqualThePostgresJoinAfterAKillMidSnapshotAndALostSlot(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_resnapshot");
        DemoWorkload workload = Pipeline.seeded(db, 3);
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, Pipeline.Facts.defaults(), FOREIGN_KEY_JOINS)) {
            String slot = pipeline.run + "_slot";
            // as the seed's cdc-setup does: publication and slot first, the pipeline later
            db.execute("CREATE PUBLICATION " + pipeline.run + "_pub FOR TABLE customers, products, orders, order_items",
                    "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            // the snapshot reads order_items last: holding it back makes sure the kill lands mid-snapshot
            pipeline.killWalProducerMidSnapshot(db, "order_items", 3);
            workload.run(100); // deletes among them, while nothing runs
            pipeline.startAll();
            pipeline.awaitReady();
            workload.run(100);
            // the slot is lost (or dropped by hand): the rows deleted meanwhile are only missing from the next snapshot
            pipeline.walProducer.kill();
            workload.run(100);
            db.execute("DELETE FROM order_items WHERE id IN (SELECT id FROM order_items ORDER BY id LIMIT 20)",
                    "DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE id NOT IN (SELECT order_id FROM order_items) LIMIT 5)",
                    "SELECT pg_drop_replication_slot('" + slot + "')");
            workload.run(50);
            pipeline.walProducer.start();
            workload.run(50);
            assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(250),
                    () -> pipeline.walProducer.get("/metrics").contains("cdc_snapshot_vanished_total{table=\"public.order_items\"}")))
                    .as("the new snapshot published deletes for rows gone while no slot held their changes").isTrue();
            FactViews.assertConverges(db, ch, pipeline);
        }
    }

    @Test
    void currentViewsEqualThePostgresJoinAfterForeignKeysMovedAndAStreamsAppWasKilledMidBackfill(PostgresEndpoint server,
            KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_backfill");
        DemoWorkload workload = Pipeline.seeded(db, 4);
        // enough rows that the backfill lasts seconds: 20,000 orders and 50,000 items beside the seed's, and rows pointing
        // at no row, held while the snapshot may still bring it, then sent with the LEFT JOINs' nulls by the scans at the
        // snapshot's end, local joins and joins through Kafka alike
        db.execute("INSERT INTO order_items (order_id, product_id, quantity, price) SELECT g % 120 + 1, g % 16 + 1, 1, 1.25 "
                + "FROM generate_series(1, 10000) g");
        Pipeline.fillForABackfill(db);
        // customers and products (tens of rows) joined inside each task, orders (20,120) through Kafka: both paths
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, Pipeline.Facts.defaults(), Map.of("STREAMS_LOCAL_TABLE_MAX_ROWS", "1000"))) {
            pipeline.startAll();
            pipeline.streamsApp2.start();
            String items = pipeline.table("order_item_fact");
            assertThat(Waiting.until(Duration.ofSeconds(120), Duration.ofMillis(100), () -> FactViews.rowsSoFar(ch, items) > 0))
                    .as("the backfill's first facts in ClickHouse").isTrue();
            // foreign keys move while the backfill runs: items between orders, orders between customers
            db.execute("UPDATE order_items SET order_id = order_id % 20000 + 2 WHERE id % 7 = 0",
                    "UPDATE orders SET customer_id = customer_id % 40 + 2 WHERE id % 5 = 0");
            long before = FactViews.rowsSoFar(ch, items);
            pipeline.streamsApp.kill();
            assertThat(before).as("killed mid-backfill: %s of about 50,300 item facts in ClickHouse", before).isLessThan(50_000);
            db.execute("UPDATE order_items SET product_id = product_id % 15 + 1 WHERE id % 11 = 0",
                    "UPDATE order_items SET order_id = order_id % 20000 + 1 WHERE id % 13 = 0");
            workload.run(30);
            pipeline.streamsApp.start();
            pipeline.awaitReady();
            pipeline.streamsApp2.awaitReady();
            workload.run(60);
            FactViews.assertConverges(db, ch, pipeline);
            assertThat(pipeline.streamsApp.log()).contains("fact " + pipeline.run + "_order_item_fact: joined inside each task: "
                    + "products (p); through Kafka: orders (o)");
            // the backfill's progress after the kill: the restarted instance follows every snapshot from the group's
            // committed offsets to its end, as the instance that ran throughout does
            for (Deployable instance : List.of(pipeline.streamsApp, pipeline.streamsApp2)) {
                String which = instance == pipeline.streamsApp ? "the instance killed and restarted" : "the other instance";
                for (String table : List.of("customers", "products", "orders", "order_items")) {
                    assertThat(Waiting.until(Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
                        String metrics = instance.get("/metrics");
                        double records = MetricsPage.value(metrics, "streams_snapshot_records", table);
                        return records > 0 && MetricsPage.value(metrics, "streams_snapshot_records_read", table) == records;
                    })).as("the snapshot of %s read to its end, in %s's metrics:\n%s", table, which, instance.get("/metrics")).isTrue();
                }
            }
        }
    }
}
