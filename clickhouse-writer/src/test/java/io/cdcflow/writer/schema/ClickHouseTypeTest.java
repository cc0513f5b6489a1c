package io.cdcflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.SqlType;
import io.cdcflow.common.schema.SqlTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mapping table of TYPES.md, row by row, on a current server and on 18.16. */
class ClickHouseTypeTest {
    private static final ServerInfo OLD = ServerInfo.parse("18.16.1");
    private static final ServerInfo CURRENT = ServerInfo.parse("25.8.2.29");

    private static String current(SqlType type, boolean notNull) {
        return ClickHouseType.of(new Column("c", type, notNull), CURRENT).declaration();
    }

    private static String old(SqlType type, boolean notNull) {
        return ClickHouseType.of(new Column("c", type, notNull), OLD).declaration();
    }

    @Test
    void everyPostgresTypeHasItsDocumentedColumn() {
        SqlType mood = SqlTypes.enumOf(16500, "mood", List.of("sad", "ok"));
        SqlType positive = SqlTypes.domainOf(16510, "positive_amount", SqlTypes.numeric(10, 2));
        Object[][] table = {
                {SqlTypes.INT2, "Int16", "Int16"},
                {SqlTypes.INT4, "Int32", "Int32"},
                {SqlTypes.INT8, "Int64", "Int64"},
                {SqlTypes.numeric(12, 2), "Decimal(12, 2)", "Decimal(12, 2)"},
                {SqlTypes.numeric(60, 10), "Decimal(60, 10)", "Decimal(38, 18)"},
                {SqlTypes.NUMERIC, "Decimal(76, 38)", "Decimal(38, 18)"},
                {SqlTypes.FLOAT4, "Float32", "Float32"},
                {SqlTypes.FLOAT8, "Float64", "Float64"},
                {SqlTypes.BOOL, "Bool", "UInt8"},
                {SqlTypes.TEXT, "String", "String"},
                {SqlTypes.varchar(40), "String", "String"},
                {SqlTypes.UUID, "UUID", "UUID"},
                {SqlTypes.DATE, "Date32", "Date"},
                {SqlTypes.TIMESTAMP, "DateTime64(6)", "DateTime"},
                {SqlTypes.TIMESTAMPTZ, "DateTime64(6, 'UTC')", "DateTime('UTC')"},
                {SqlTypes.JSONB, "String", "String"},
                {SqlTypes.BYTEA, "String", "String"},
                {SqlType.of(1186, "interval", -1), "String", "String"},
                {SqlType.of(1083, "time", -1), "String", "String"},
                {SqlType.of(869, "inet", -1), "String", "String"},
                {mood, "LowCardinality(String)", "String"},
                {positive, "Decimal(10, 2)", "Decimal(10, 2)"},
                {SqlTypes.arrayOf(SqlTypes.INT4, 1007), "Array(Nullable(Int32))", "Array(Nullable(Int32))"},
                {SqlTypes.arrayOf(SqlTypes.numeric(10, 2), 1231), "Array(Nullable(Decimal(10, 2)))", "Array(Nullable(Decimal(10, 2)))"},
                {SqlTypes.arrayOf(mood, 16501), "Array(Nullable(String))", "Array(Nullable(String))"},
        };
        for (Object[] row : table) {
            SqlType type = (SqlType) row[0];
            assertThat(current(type, true)).as(type.display()).isEqualTo(row[1]);
            assertThat(old(type, true)).as(type.display() + " on 18.16").isEqualTo(row[2]);
        }
    }

    @Test
    void onlyNullableColumnsAreNullableAndArraysNeverAre() {
        assertThat(current(SqlTypes.INT4, false)).isEqualTo("Nullable(Int32)");
        assertThat(current(SqlTypes.enumOf(1, "mood", List.of("a")), false)).isEqualTo("LowCardinality(Nullable(String))");
        assertThat(current(SqlTypes.arrayOf(SqlTypes.TEXT, 1009), false)).isEqualTo("Array(Nullable(String))");
        assertThat(old(SqlTypes.TIMESTAMPTZ, false)).isEqualTo("Nullable(DateTime('UTC'))");
    }

    @Test
    void typmodsAreDecoded() {
        assertThat(SqlTypes.numeric(12, 2).numericPrecision()).isEqualTo(12);
        assertThat(SqlTypes.numeric(12, 2).numericScale()).isEqualTo(2);
        assertThat(SqlTypes.NUMERIC.numericPrecision()).isNull();
        assertThat(SqlTypes.varchar(40).length()).isEqualTo(40);
        assertThat(SqlType.of(1114, "timestamp", 3).secondsPrecision()).isEqualTo(3);
    }
}
