package io.cdcflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplacingMergeTreeDdlTest {
    private static final ServerInfo OLD = ServerInfo.parse("18.16.1");
    private static final ServerInfo CURRENT = ServerInfo.parse("25.8.2.29");

    private static final RowSchema ORDER_FACT = RowSchema.fact("order_fact", 7, List.of(
            new Column("order_id", SqlTypes.INT4, true),
            new Column("customer name", SqlTypes.TEXT, false),
            new Column("total", SqlTypes.numeric(12, 2), true),
            new Column("created_at", SqlTypes.TIMESTAMPTZ, true),
            new Column("paid", SqlTypes.BOOL, false)), List.of("order_id"));

    @Test
    void oldServersGetFallbackTypesAndEngine() {
        TableSchema schema = new TableSchema("order_fact", ORDER_FACT, OLD, "UInt64");
        assertThat(new ReplacingMergeTreeDdl("cdc", OLD).createTable(schema)).isEqualTo(
                "CREATE TABLE IF NOT EXISTS `cdc`.`order_fact` (`order_id` Int32, `customer name` Nullable(String), "
                        + "`total` Decimal(12, 2), `created_at` DateTime('UTC'), `paid` Nullable(UInt8), "
                        + "`_version` UInt64, `_deleted` UInt8, `_ingested_at` DateTime DEFAULT now()) "
                        + "ENGINE = ReplacingMergeTree(`_version`) ORDER BY (`order_id`)");
        assertThat(new ReplacingMergeTreeDdl("cdc", OLD).addColumn("customer_dim", "tier", ClickHouseType.of(
                new Column("tier", SqlTypes.TEXT, false), OLD), "name"))
                .isEqualTo("ALTER TABLE `cdc`.`customer_dim` ADD COLUMN `tier` Nullable(String) AFTER `name`");
    }

    @Test
    void currentServersGetExactTypesAndDeletedAwareEngine() {
        TableSchema schema = new TableSchema("order_fact", ORDER_FACT, CURRENT, "UInt64");
        String ddl = new ReplacingMergeTreeDdl("cdc", CURRENT).createTable(schema);
        assertThat(ddl).contains("`created_at` DateTime64(6, 'UTC')", "`paid` Nullable(Bool)", "`total` Decimal(12, 2)",
                "ENGINE = ReplacingMergeTree(`_version`, `_deleted`)");
        assertThat(new ReplacingMergeTreeDdl("cdc", CURRENT).currentView(schema))
                .isEqualTo("CREATE VIEW IF NOT EXISTS `cdc`.`order_fact_current` AS SELECT * FROM `cdc`.`order_fact` FINAL WHERE `_deleted` = 0");
        assertThat(new ReplacingMergeTreeDdl("cdc", CURRENT).insertTarget("order_fact", schema.insertColumns()))
                .isEqualTo("`cdc`.`order_fact` (`order_id`, `customer name`, `total`, `created_at`, `paid`, `_version`, `_deleted`)");
    }

    @Test
    void sourceColumnsNamedLikeTheWritersOwnPushThemAside() {
        RowSchema source = RowSchema.table("public", "t", 7, List.of(
                new Column("id", SqlTypes.INT4, true),
                new Column("_version", SqlTypes.INT8, false),
                new Column("__version", SqlTypes.TEXT, false),
                new Column("_ingested_at", SqlTypes.TEXT, false)), List.of("id"));
        TableSchema schema = new TableSchema("t", source, OLD, "UInt64");
        ReplacingMergeTreeDdl ddl = new ReplacingMergeTreeDdl("cdc", OLD);
        assertThat(ddl.createTable(schema)).isEqualTo("CREATE TABLE IF NOT EXISTS `cdc`.`t` (`id` Int32, `_version` Nullable(Int64), "
                + "`__version` Nullable(String), `_ingested_at` Nullable(String), `___version` UInt64, `_deleted` UInt8, "
                + "`__ingested_at` DateTime DEFAULT now()) ENGINE = ReplacingMergeTree(`___version`) ORDER BY (`id`)");
        assertThat(schema.insertColumns()).containsExactly("id", "_version", "__version", "_ingested_at", "___version", "_deleted");
        assertThat(ddl.deleteBefore(schema, "10")).startsWith("ALTER TABLE `cdc`.`t` DELETE WHERE `___version` < 10");
    }

    @Test
    void namesAreQuotedWhateverTheyHold() {
        assertThat(ReplacingMergeTreeDdl.quote("select")).isEqualTo("`select`");
        assertThat(ReplacingMergeTreeDdl.quote("a`b\\c")).isEqualTo("`a\\`b\\\\c`");
        assertThat(ReplacingMergeTreeDdl.literal("it's")).isEqualTo("'it\\'s'");
    }

    @Test
    void aShardedClusterGetsReplicatedShardTablesBehindADistributedTableShardedByTheKey() {
        ClusterLayout layout = new ClusterLayout("analytics", true, ClusterLayout.DEFAULT_PATH, "{replica}", 2);
        ReplacingMergeTreeDdl ddl = new ReplacingMergeTreeDdl("cdc", OLD, layout);
        TableSchema schema = new TableSchema("order_fact", ORDER_FACT, OLD, "UInt64");
        assertThat(ddl.createDatabase()).isEqualTo("CREATE DATABASE IF NOT EXISTS `cdc` ON CLUSTER `analytics`");
        assertThat(ddl.createTable(schema))
                .startsWith("CREATE TABLE IF NOT EXISTS `cdc`.`order_fact_shard` ON CLUSTER `analytics` (`order_id` Int32, ")
                .endsWith("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cdc/order_fact_shard', '{replica}', "
                        + "`_version`) ORDER BY (`order_id`)");
        assertThat(ddl.createDistributed(schema)).isEqualTo("CREATE TABLE IF NOT EXISTS `cdc`.`order_fact` ON CLUSTER `analytics` "
                + "AS `cdc`.`order_fact_shard` ENGINE = Distributed(`analytics`, `cdc`, `order_fact_shard`, cityHash64(`order_id`))");
        assertThat(ddl.currentView(schema)).isEqualTo("CREATE VIEW IF NOT EXISTS `cdc`.`order_fact_current` ON CLUSTER `analytics` "
                + "AS SELECT * FROM `cdc`.`order_fact` FINAL WHERE `_deleted` = 0");
        assertThat(ddl.insertTarget("order_fact", List.of("order_id"))).isEqualTo("`cdc`.`order_fact` (`order_id`)");
        assertThat(ddl.addColumn("order_fact", "tier", ClickHouseType.of(new Column("tier", SqlTypes.TEXT, false), OLD), "paid"))
                .isEqualTo("ALTER TABLE `cdc`.`order_fact_shard` ON CLUSTER `analytics` ADD COLUMN `tier` Nullable(String) AFTER `paid`");
        assertThat(ddl.deleteBefore(schema, "10"))
                .isEqualTo("ALTER TABLE `cdc`.`order_fact_shard` ON CLUSTER `analytics` DELETE WHERE `_version` < 10");
        assertThat(ddl.dropDistributed("order_fact")).isEqualTo("DROP TABLE IF EXISTS `cdc`.`order_fact` ON CLUSTER `analytics`");
        assertThat(ddl.attachTable(schema)).isEqualTo("ATTACH" + ddl.createTable(schema).substring("CREATE".length()))
                .startsWith("ATTACH TABLE IF NOT EXISTS `cdc`.`order_fact_shard` ON CLUSTER `analytics` (");
    }

    @Test
    void aReplicaInZooKeeperWithoutItsTableIsToldFromOtherRefusals() {
        assertThat(SchemaManager.replicaWithoutTable("Code: 253, e.displayText() = DB::Exception: There was an error on [127.0.0.1:36439]: "
                + "Code: 253, e.displayText() = DB::Exception: Replica /clickhouse/tables/1/cdc/t_shard/replicas/replica2 already exists.")).isTrue();
        assertThat(SchemaManager.replicaWithoutTable("Code: 253. DB::Exception: Replica /clickhouse/tables/1/cdc/t_shard/replicas/r2 "
                + "already exists. (REPLICA_ALREADY_EXISTS)")).isTrue();
        assertThat(SchemaManager.replicaWithoutTable("Code: 117, e.displayText() = DB::Exception: Data directory for table already "
                + "containing data parts")).isFalse();
        assertThat(SchemaManager.replicaWithoutTable("Code: 60, e.displayText() = DB::Exception: Table cdc.t_shard doesn't exist.")).isFalse();
        assertThat(SchemaManager.replicaWithoutTable(null)).isFalse();
    }

    @Test
    void replicasWithoutAClusterGetReplicatedTablesUnderTheirOwnNames() {
        ClusterLayout layout = new ClusterLayout(null, true, "/ch/{shard}/{database}.{table}", "r-{replica}", 1);
        ReplacingMergeTreeDdl ddl = new ReplacingMergeTreeDdl("cdc", CURRENT, layout);
        TableSchema schema = new TableSchema("order_fact", ORDER_FACT, CURRENT, "UInt64");
        assertThat(ddl.createTable(schema)).startsWith("CREATE TABLE IF NOT EXISTS `cdc`.`order_fact` (")
                .endsWith("ENGINE = ReplicatedReplacingMergeTree('/ch/{shard}/cdc.order_fact', 'r-{replica}', `_version`, `_deleted`) "
                        + "ORDER BY (`order_id`)");
        assertThat(ddl.createDatabase()).isEqualTo("CREATE DATABASE IF NOT EXISTS `cdc`");
        assertThat(ddl.dropColumn("order_fact", "paid")).isEqualTo("ALTER TABLE `cdc`.`order_fact` DROP COLUMN IF EXISTS `paid`");
    }

    @Test
    void aClusterOfOneShardHasNoDistributedTable() {
        ClusterLayout layout = new ClusterLayout("replicas", true, ClusterLayout.DEFAULT_PATH, "{replica}", 1);
        assertThat(layout.sharded()).isFalse();
        assertThat(layout.dataTable("t")).isEqualTo("t");
        assertThat(new ReplacingMergeTreeDdl("cdc", OLD, layout).createTable(new TableSchema("order_fact", ORDER_FACT, OLD, "UInt64")))
                .startsWith("CREATE TABLE IF NOT EXISTS `cdc`.`order_fact` ON CLUSTER `replicas` (")
                .contains("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cdc/order_fact', '{replica}', `_version`)");
    }
}
