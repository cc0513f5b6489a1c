package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouse;
import io.cdcflow.testsupport.LocalKafka;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Services;
import io.cdcflow.testsupport.Waiting;
import java.time.Duration;
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

    @Test
    void currentViewsEqualThePostgresJoin(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_plain");
        DemoWorkload workload = new DemoWorkload(db, 1);
        workload.createSchema();
        workload.seed();
        try (Pipeline pipeline = new Pipeline(db, kafka, ch)) {
            pipeline.startAll();
            workload.run(150);
            pipeline.awaitReady();
            workload.run(150);
            assertConverges(db, ch, pipeline);
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
        DemoWorkload workload = new DemoWorkload(db, 2);
        workload.createSchema();
        workload.seed();
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
            assertConverges(db, ch, pipeline);
        }
    }

    /** The default facts file, run in PostgreSQL as it is, equals the ClickHouse current views. */
    private static void assertConverges(PostgresEndpoint db, ClickHouseEndpoint ch, Pipeline pipeline) {
        db.execute(pipeline.facts.sql());
        FactViews.assertEqual(db, ch, pipeline);
    }
}
