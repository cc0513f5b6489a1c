package io.cdcflow.writer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.CuttingProxy;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouseCluster;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TestSchemas;
import io.cdcflow.testsupport.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writer on a real ClickHouse cluster ({@link LocalClickHouseCluster}, ZooKeeper and three servers): shard 1 has
 * two replicas (servers 0 and 1), shard 2 one (server 2). Tables are made {@code ON CLUSTER}, rows go through a
 * Distributed table to the shard their key hashes to, and {@code <table>_current} shows the newest version of each
 * key from any server, with servers killed mid-load.
 */
@ExtendWith(RealServices.class)
class ClickHouseClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static LocalClickHouseCluster cluster;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String database = "cluster_" + run;
    private final String topic = "customer_dim_" + run;
    private final String schemaTopic = "schemas_" + run;

    @BeforeAll
    static void startCluster() {
        cluster = LocalClickHouseCluster.start(2, 1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RowSchema dimension(int version) {
        List<Column> columns = new ArrayList<>(List.of(new Column("id", SqlTypes.INT8, true), new Column("name", SqlTypes.TEXT, false)));
        if (version >= 2) {
            columns.add(new Column("tier", SqlTypes.TEXT, false));
        }
        return RowSchema.fact("customer_dim", version, columns, List.of("id"));
    }

    private RunningWriter writer(KafkaEndpoint kafka) {
        return writer(kafka, cluster.endpoint(0));
    }

    private RunningWriter writer(KafkaEndpoint kafka, ClickHouseEndpoint server) {
        return new RunningWriter(server, kafka, Map.of("CLICKHOUSE_DATABASE", database, "WRITER_TOPICS", topic,
                "WRITER_GROUP_ID", "writer-" + run, "WRITER_SCHEMA_TOPIC", schemaTopic, "WRITER_BATCH_ROWS", "500",
                "CLICKHOUSE_CLUSTER", LocalClickHouseCluster.NAME));
    }

    /** Rows {@code from..to}: name {@code n<id>-<round>}, version {@code round}; every seventh deleted in round 3. */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String schema, int from, int to, int round, boolean tier) {
        for (int id = from; id <= to; id++) {
            boolean deleted = round == 3 && id % 7 == 0;
            producer.send(TestSchemas.record(topic, schema, "{\"id\":" + id + "}", "{\"id\":" + id + ",\"name\":\"n" + id + "-" + round + "\""
                    + (tier ? ",\"tier\":\"t" + (id % 3) + "\"" : "") + ",\"_version\":" + round + ",\"_deleted\":" + (deleted ? 1 : 0) + "}"));
        }
        producer.flush();
    }

    /** {@code SELECT ... FROM <database>.<table> ORDER BY 1} on one server. */
    private List<String> query(int server, String sql) {
        return cluster.endpoint(server).query(sql.replace("{db}", database));
    }

    private static long number(List<String> rows) {
        return rows.isEmpty() ? -1 : Long.parseLong(rows.get(0).replaceAll("[^0-9]", ""));
    }

    /** The view's rows as every server shows them, equal; null until they are. */
    private boolean everyServerShows(long rows, String check) {
        return serversShow(rows, check, java.util.stream.IntStream.range(0, cluster.size()).toArray());
    }

    /** {@link #everyServerShows} on the servers named. */
    private boolean serversShow(long rows, String check, int... servers) {
        for (int server : servers) {
            try {
                if (number(query(server, "SELECT count() AS n FROM {db}.customer_dim_" + run + "_current")) != rows
                        || (check != null && number(query(server, check)) != rows)) {
                    return false;
                }
            } catch (RuntimeException notYet) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyVersionOfAKeyLandsOnOneShardAndTheViewIsTheSameFromEveryServer(KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(3, topic);
        String v1 = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        try (RunningWriter w = writer(kafka); KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            send(producer, topic, v1, 1, 2000, 1, false);
            send(producer, topic, v1, 1, 1000, 2, false);
            send(producer, topic, v1, 1, 700, 3, false); // 100 of them deleted
            String table = "customer_dim_" + run;
            String newest = "SELECT count() AS n FROM {db}." + table + "_current WHERE name = concat('n', toString(id), '-', "
                    + "toString(if(id <= 700, 3, if(id <= 1000, 2, 1))))";
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(1900, newest)))
                    .as("1,900 live rows, each at its newest version, from every server; writer ready: %s", w.sink.health()).isTrue();

            // each key's versions are all on one shard, and the shards split the keys between them
            Set<String> shard1 = new HashSet<>(query(0, "SELECT DISTINCT id FROM {db}." + table + "_shard"));
            Set<String> shard2 = new HashSet<>(query(2, "SELECT DISTINCT id FROM {db}." + table + "_shard"));
            assertThat(shard1).isNotEmpty().doesNotContainAnyElementsOf(shard2);
            assertThat(shard1.size() + shard2.size()).isEqualTo(2000);
            assertThat(shard2).hasSizeGreaterThan(500);
            String rows = "SELECT count() AS n FROM {db}." + table + "_shard";
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> query(1, rows).equals(query(0, rows))))
                    .as("shard 1's second replica holds what the first does").isTrue();
            assertThat(query(0, "SELECT engine FROM system.tables WHERE database = '{db}' AND name LIKE 'customer_dim%' ORDER BY name"))
                    .containsExactly("{\"engine\":\"Distributed\"}", "{\"engine\":\"View\"}", "{\"engine\":\"ReplicatedReplacingMergeTree\"}");

            // a column added at the source reaches every server's tables and view
            String v2 = TestSchemas.publish(kafka, schemaTopic, dimension(2));
            send(producer, topic, v2, 1, 2000, 4, true);
            String tiers = "SELECT count() AS n FROM {db}." + table + "_current WHERE tier = concat('t', toString(id % 3)) AND name LIKE '%-4'";
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(2000, tiers)))
                    .as("2,000 rows with their tier from every server; writer: %s", w.sink.health()).isTrue();
            assertThat(w.failure.get()).isNull();
        }
    }

    @Test
    void anInsertWhoseAnswerIsLostAfterItLandedIsNotWrittenTwice(KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(3, topic);
        String v1 = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        String table = "customer_dim_" + run;
        ClickHouseEndpoint server = cluster.endpoint(0);
        try (CuttingProxy proxy = CuttingProxy.to(server.httpUrl());
             RunningWriter w = writer(kafka, new ClickHouseEndpoint(proxy.url(), server.user(), server.password()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            send(producer, topic, v1, 1, 600, 1, false);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> everyServerShows(600, null))).isTrue();
            for (int s = 0; s < cluster.size(); s++) {
                cluster.endpoint(s).execute("SYSTEM STOP MERGES " + database + "." + table + "_shard"); // they would hide a row written twice
            }
            proxy.loseAnswerTo("INSERT", table);
            send(producer, topic, v1, 601, 1200, 1, false);
            send(producer, topic, v1, 1, 200, 2, false);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> proxy.answersLost() == 1)).as("an answer was lost").isTrue();
            String newest = "SELECT count() AS n FROM {db}." + table + "_current WHERE name = concat('n', toString(id), '-', toString(if(id <= 200, 2, 1)))";
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(1200, newest) && w.sink.health().ready()))
                    .as("every row at its newest version; writer: %s", w.sink.health()).isTrue();
            String rows = "SELECT count() AS n FROM {db}." + table;
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> number(query(0, rows)) == 1400 && number(query(1, rows)) == 1400))
                    .as("each record's row once, through the Distributed table from both replicas of shard 1: %s, %s",
                            query(0, rows), query(1, rows)).isTrue();
            assertThat(w.metrics.scrape()).containsPattern("writer_rows_already_landed_total\\{table=\"" + table + "\"} [1-9]");
        }
    }

    @Test
    void aReplicaAndAWholeShardKilledMidLoadLoseNothing(KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(3, topic);
        String v1 = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        String table = "customer_dim_" + run;
        try (RunningWriter w = writer(kafka); KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            send(producer, topic, v1, 1, 1000, 1, false);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> everyServerShows(1000, null))).isTrue();

            cluster.server(1).kill(); // shard 1 keeps one replica: the writer goes on
            send(producer, topic, v1, 1001, 3000, 1, false);
            cluster.server(2).kill(); // shard 2 is gone: its rows cannot land anywhere
            send(producer, topic, v1, 1, 3000, 2, false);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> !w.sink.health().ready()))
                    .as("the writer reports the shard it cannot reach").isTrue();
            assertThat(w.sink.health().detail()).contains(table);
            Map<String, String> lag = new TreeMap<>();
            lag.put("rows in shard 1 while shard 2 is down", query(0, "SELECT count() AS n FROM {db}." + table + "_shard").toString());

            cluster.server(2).startAgain();
            cluster.server(1).startAgain();
            send(producer, topic, v1, 1, 3000, 3, false);
            String newest = "SELECT count() AS n FROM {db}." + table + "_current WHERE name = concat('n', toString(id), '-3')";
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(3000 - 3000 / 7, newest)))
                    .as("every row at its newest version from every server after the restarts (%s); writer: %s", lag, w.sink.health())
                    .isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> w.sink.health().ready())).isTrue();
        }
    }

    @Test
    void aServerDownWhenTheTablesAreMadeGetsThemWhenItReturnsAndTheOthersTakeRowsMeanwhile(KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(3, topic);
        String v1 = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        String table = "customer_dim_" + run;
        String newest = "SELECT count() AS n FROM {db}." + table + "_current WHERE name = concat('n', toString(id), '-1')";
        cluster.server(1).kill(); // shard 1's second replica: every ON CLUSTER statement waits for it in vain
        try (RunningWriter w = writer(kafka); KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            send(producer, topic, v1, 1, 1000, 1, false);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> serversShow(1000, newest, 0, 2)))
                    .as("the database, tables and view made on the servers that run, and the rows in them; writer: %s", w.sink.health()).isTrue();
            cluster.server(1).startAgain();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(1000, newest)))
                    .as("the returning server made them from the DDL queue and fetched its shard's rows; writer: %s", w.sink.health()).isTrue();
            assertThat(w.failure.get()).isNull();
        } finally {
            if (!cluster.server(1).isRunning()) {
                cluster.server(1).startAgain();
            }
        }
    }

    /**
     * A server that registered its replica in ZooKeeper and then failed before it saved the table (a ZooKeeper session
     * lost in between; ClickHouse before 23.11 never cleans this up) answers every later {@code CREATE} with
     * REPLICA_IS_ALREADY_EXIST. Simulated with the table made again empty by hand and detached on one server: its
     * replica stays in ZooKeeper, the table is gone from the server. First another server than the writer's (the
     * writer sees the table), then the writer's own (the writer makes the table).
     */
    @Test
    void aServerWhoseReplicaOutlivedItsTableGetsTheTableAttachedAgain(KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(3, topic);
        String v1 = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        String table = "customer_dim_" + run;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            try (RunningWriter w = writer(kafka)) {
                send(producer, topic, v1, 1, 500, 1, false);
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> everyServerShows(500, null))).isTrue();
            }
            for (int r = 2; r <= 3; r++) {
                int round = r;
                int lost = round == 2 ? 1 : 0;
                loseTableKeepingReplica(table + "_shard", lost);
                try (RunningWriter w = writer(kafka)) {
                    send(producer, topic, v1, 1, 1000, round, false);
                    String newest = "SELECT count() AS n FROM {db}." + table + "_current WHERE name = concat('n', toString(id), '-" + round + "')";
                    assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(round == 3 ? 1000 - 1000 / 7 : 1000, newest)))
                            .as("server %d's table attached again to its replica, and every row written; writer: %s", lost, w.sink.health()).isTrue();
                    assertThat(w.failure.get()).isNull();
                }
            }
        }
    }

    /** The table made again empty on every server as it was, then detached on {@code server}: its replica stays in ZooKeeper. */
    private void loseTableKeepingReplica(String table, int server) throws Exception {
        String qualified = database + "." + table;
        String made = cluster.endpoint(0).query("SELECT create_table_query AS q FROM system.tables WHERE database = '" + database
                + "' AND name = '" + table + "'").get(0);
        String create = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(made).get("q").asText()
                .replace("CREATE TABLE " + qualified, "CREATE TABLE " + qualified + " ON CLUSTER " + LocalClickHouseCluster.NAME);
        cluster.endpoint(0).execute("DROP TABLE " + qualified + " ON CLUSTER " + LocalClickHouseCluster.NAME);
        cluster.endpoint(0).execute(create);
        cluster.endpoint(server).execute("DETACH TABLE " + qualified);
    }

    @Test
    void zooKeeperDownHoldsTheRowsBackUntilItReturns(KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(3, topic);
        String v1 = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        String table = "customer_dim_" + run;
        try (RunningWriter w = writer(kafka); KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            send(producer, topic, v1, 1, 500, 1, false);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> everyServerShows(500, null))).isTrue();
            cluster.zookeeper().stop(); // replicated tables turn read-only
            try {
                send(producer, topic, v1, 1, 1000, 2, false);
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> !w.sink.health().ready()))
                        .as("the writer reports that ClickHouse does not take the rows").isTrue();
                assertThat(w.sink.health().detail()).contains(table);
            } finally {
                cluster.zookeeper().startAgain();
            }
            String newest = "SELECT count() AS n FROM {db}." + table + "_current WHERE name = concat('n', toString(id), '-2')";
            assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> everyServerShows(1000, newest)))
                    .as("every row at its newest version once ZooKeeper is back; writer: %s", w.sink.health()).isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> w.sink.health().ready())).isTrue();
        }
    }
}
