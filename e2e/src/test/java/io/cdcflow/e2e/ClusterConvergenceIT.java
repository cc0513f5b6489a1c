package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouseCluster;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariant on a ClickHouse cluster ({@link LocalClickHouseCluster}: shard 1 on two replicas, shard 2 on one):
 * every {@code <view>_current}, read through its Distributed table from any server, equals PostgreSQL's view after
 * a replica and then a whole shard were killed with SIGKILL mid-load and restarted.
 */
@ExtendWith(RealServices.class)
class ClusterConvergenceIT {

    @Test
    void currentViewsOnEveryServerEqualThePostgresJoinAfterAReplicaAndAShardWereKilledMidLoad(PostgresEndpoint server,
                                                                                               KafkaEndpoint kafka) throws Exception {
        try (LocalClickHouseCluster cluster = LocalClickHouseCluster.start(2, 1)) {
            PostgresEndpoint db = server.createDatabase("e2e_cluster");
            DemoWorkload workload = new DemoWorkload(db, 5);
            workload.createSchema();
            workload.seed();
            try (Pipeline pipeline = new Pipeline(db, kafka, cluster.endpoint(0), Pipeline.Facts.defaults(), Map.of(),
                    Map.of("CLICKHOUSE_CLUSTER", LocalClickHouseCluster.NAME))) {
                pipeline.startAll();
                workload.run(100);
                pipeline.awaitReady();
                workload.run(60);
                cluster.server(1).kill(); // shard 1 goes on with its other replica
                workload.run(60);
                cluster.server(2).kill(); // shard 2 is gone: the writer waits for it
                workload.run(60);
                cluster.server(2).startAgain();
                workload.run(30);
                cluster.server(1).startAgain();
                workload.run(60);
                db.execute(pipeline.facts.sql());
                for (int member = 0; member < cluster.size(); member++) {
                    FactViews.assertEqual(db, cluster.endpoint(member), pipeline);
                }
                assertThat(pipeline.writer.log()).contains("cluster cdcflow (2 shards");
                assertThat(cluster.endpoint(2).query("SELECT count() AS n FROM " + pipeline.table("order_fact") + "_shard"))
                        .as("shard 2 holds some of the orders").isNotEqualTo(java.util.List.of("{\"n\":\"0\"}"));
            }
        }
    }
}
