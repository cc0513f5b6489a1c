package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Waiting;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariant with the snapshot's facts computed by PostgreSQL (POSTGRES_CDC_FACTS_FILE): the wal-producer exports
 * the views' rows in its snapshot's transaction, the streams-app passes them on and only folds the snapshot into its
 * state, and whatever changes, moves or is killed meanwhile, the current views in ClickHouse end equal to the views in
 * PostgreSQL.
 */
@ExtendWith(RealServices.class)
class FactsExportIT {
    @Test
    void currentViewsEqualThePostgresJoinWithForeignKeysMovingAndAStreamsAppKilledDuringTheBackfill(PostgresEndpoint server,
            KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_export");
        DemoWorkload workload = Pipeline.seeded(db, 11);
        Pipeline.fillForABackfill(db);
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, Pipeline.Facts.defaults(), Map.of("STREAMS_LOCAL_TABLE_MAX_ROWS", "1000"))) {
            pipeline.exportFacts();
            pipeline.startAll();
            String items = pipeline.table("order_item_fact");
            assertThat(Waiting.until(Duration.ofSeconds(120), Duration.ofMillis(100), () -> FactViews.rowsSoFar(ch, items) > 0))
                    .as("the backfill's first facts in ClickHouse").isTrue();
            db.execute("UPDATE order_items SET order_id = order_id % 20000 + 2 WHERE id % 7 = 0",
                    "UPDATE orders SET customer_id = customer_id % 40 + 2 WHERE id % 5 = 0");
            pipeline.streamsApp.kill();
            db.execute("UPDATE order_items SET product_id = product_id % 15 + 1 WHERE id % 11 = 0",
                    "DELETE FROM order_items WHERE id % 17 = 0");
            workload.run(30);
            pipeline.streamsApp.start();
            pipeline.awaitReady();
            workload.run(60);
            FactViews.assertConverges(db, ch, pipeline);
            assertThat(pipeline.walProducer.log()).contains("facts export at ", "facts export of " + pipeline.run + "_order_item_fact: ");
            // the export was taken, not dropped: this application defines the views as the wal-producer does
            assertThat(pipeline.streamsApp.get("/metrics")).doesNotContain("streams_facts_export_chunks_dropped_total{fact=");
        }
    }

    @Test
    void twoInstancesShareTheWorkWithTheExportAndTheViewsConverge(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_export_two");
        DemoWorkload workload = Pipeline.seeded(db, 13);
        Pipeline.fillForABackfill(db);
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, Pipeline.Facts.defaults(), Map.of("STREAMS_LOCAL_TABLE_MAX_ROWS", "1000"))) {
            pipeline.exportFacts();
            pipeline.streamsApp.start();
            pipeline.streamsApp2.start();
            pipeline.writer.start();
            pipeline.walProducer.start();
            String items = pipeline.table("order_item_fact");
            assertThat(Waiting.until(Duration.ofSeconds(120), Duration.ofMillis(100), () -> FactViews.rowsSoFar(ch, items) > 0))
                    .as("the backfill's first facts in ClickHouse").isTrue();
            db.execute("UPDATE order_items SET order_id = order_id % 20000 + 2 WHERE id % 7 = 0",
                    "UPDATE orders SET customer_id = customer_id % 40 + 2 WHERE id % 5 = 0", "DELETE FROM order_items WHERE id % 19 = 0");
            workload.run(30);
            pipeline.awaitReady();
            pipeline.streamsApp2.awaitReady();
            workload.run(60);
            FactViews.assertConverges(db, ch, pipeline);
            // the export's one partition went to one instance's relay; neither dropped a chunk, and both ran
            long passed = 0;
            for (Deployable instance : java.util.List.of(pipeline.streamsApp, pipeline.streamsApp2)) {
                String metrics = instance.get("/metrics");
                assertThat(metrics).doesNotContain("streams_facts_export_chunks_dropped_total{fact=");
                passed += metrics.lines().filter(line -> line.startsWith("streams_facts_export_chunks_total{"))
                        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
                assertThat(instance.log()).as("an instance's log").contains("Kafka Streams REBALANCING -> RUNNING");
            }
            assertThat(passed).as("chunks passed on by the two instances' relays").isPositive();
        }
    }

    @Test
    void currentViewsEqualThePostgresJoinAfterAKillMidSnapshotExportsAgainAtTheSamePosition(PostgresEndpoint server,
            KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_export_kill");
        DemoWorkload workload = Pipeline.seeded(db, 12);
        // a captured table no view reads, snapshotted last: holding it back stops the snapshot after the export (which
        // comes first) and the views' tables, before the snapshot is complete
        db.execute("CREATE TABLE export_blocker (id int PRIMARY KEY)", "INSERT INTO export_blocker VALUES (1)");
        Pipeline.Facts facts = new Pipeline.Facts(io.cdcflow.streams.facts.FactsFile.defaultSql(),
                "customers,products,orders,order_items,export_blocker");
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, facts)) {
            pipeline.exportFacts();
            String slot = pipeline.run + "_slot";
            db.execute("CREATE PUBLICATION " + pipeline.run + "_pub FOR TABLE customers, products, orders, order_items, export_blocker",
                    "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            pipeline.streamsApp.start();
            pipeline.writer.start();
            pipeline.killWalProducerMidSnapshot(db, "export_blocker", 4);
            workload.run(100); // changes after the slot's position, deletes among them, while no wal-producer runs
            pipeline.walProducer.start();
            pipeline.awaitReady();
            workload.run(100);
            FactViews.assertConverges(db, ch, pipeline);
            assertThat(pipeline.walProducer.log()).contains("announced before (a snapshot started again at the same position)");
        }
    }
}
