package io.cdcflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.json.Json;
import org.junit.jupiter.api.Test;

class ReplacingMergeTreeDdlTest {
    private static final ServerInfo OLD = ServerInfo.parse("18.16.1");
    private static final ServerInfo CURRENT = ServerInfo.parse("25.8.2.29");

    private final TableSchema schema = TableSchema.fromFirstRecord("order_fact", Json.read("{\"order_id\":1}"),
            Json.read("{\"order_id\":1,\"customer_name\":\"Ada\",\"customer_email\":null,\"total\":5,"
                    + "\"created_at\":\"2026-11-24T10:00:00Z\",\"paid\":true,\"_version\":7,\"_deleted\":0}"));

    @Test
    void typesComeFromHintsAndFirstValues() {
        assertThat(schema.keyColumns()).containsExactly("order_id");
        assertThat(schema.columns()).containsEntry("order_id", ColumnType.INT64)
                .containsEntry("customer_name", ColumnType.STRING)
                .containsEntry("total", ColumnType.DECIMAL)
                .containsEntry("created_at", ColumnType.DATETIME)
                .containsEntry("paid", ColumnType.BOOL)
                .doesNotContainKey("customer_email")
                .doesNotContainKey("_version");
    }

    @Test
    void oldServersGetFallbackTypesAndEngine() {
        assertThat(new ReplacingMergeTreeDdl("cdc", OLD).createTable(schema)).isEqualTo(
                "CREATE TABLE IF NOT EXISTS `cdc`.`order_fact` (`order_id` Int64, `customer_name` Nullable(String), "
                        + "`total` Nullable(Decimal(38, 10)), `created_at` Nullable(DateTime('UTC')), `paid` Nullable(UInt8), "
                        + "_version UInt64, _deleted UInt8, _ingested_at DateTime DEFAULT now()) "
                        + "ENGINE = ReplacingMergeTree(_version) ORDER BY (`order_id`)");
        assertThat(new ReplacingMergeTreeDdl("cdc", OLD).addColumn("customer_dim", "tier", ColumnType.STRING))
                .isEqualTo("ALTER TABLE `cdc`.`customer_dim` ADD COLUMN `tier` Nullable(String)");
    }

    @Test
    void currentServersGetNewerTypesAndDeletedAwareEngine() {
        String ddl = new ReplacingMergeTreeDdl("cdc", CURRENT).createTable(schema);
        assertThat(ddl).contains("`created_at` Nullable(DateTime64(6, 'UTC'))", "`paid` Nullable(Bool)",
                "ENGINE = ReplacingMergeTree(_version, _deleted)");
        assertThat(new ReplacingMergeTreeDdl("cdc", CURRENT).addColumn("t", "c", ColumnType.INT64)).contains("ADD COLUMN IF NOT EXISTS");
        assertThat(new ReplacingMergeTreeDdl("cdc", CURRENT).currentView("order_fact"))
                .isEqualTo("CREATE VIEW IF NOT EXISTS `cdc`.`order_fact_current` AS SELECT * FROM `cdc`.`order_fact` FINAL WHERE _deleted = 0");
    }

    @Test
    void declarationsReadBackFromSystemColumns() {
        assertThat(ReplacingMergeTreeDdl.typeOf("Nullable(Decimal(38, 10))")).isEqualTo(ColumnType.DECIMAL);
        assertThat(ReplacingMergeTreeDdl.typeOf("Nullable(DateTime64(6, 'UTC'))")).isEqualTo(ColumnType.DATETIME);
        assertThat(ReplacingMergeTreeDdl.typeOf("Int64")).isEqualTo(ColumnType.INT64);
        assertThat(ReplacingMergeTreeDdl.typeOf("Nullable(UInt8)")).isEqualTo(ColumnType.BOOL);
        assertThat(ReplacingMergeTreeDdl.typeOf("Nullable(String)")).isEqualTo(ColumnType.STRING);
    }
}
