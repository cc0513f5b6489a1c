package io.cdcflow.writer.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowEncoderTest {
    private static final ServerInfo OLD = ServerInfo.parse("18.16.1");
    private static final ServerInfo CURRENT = ServerInfo.parse("25.8.1");
    private static final RowSchema FACT = RowSchema.fact("order_fact", 1, List.of(
            new Column("order_id", SqlTypes.INT4, true),
            new Column("total", SqlTypes.numeric(30, 10), false),
            new Column("created_at", SqlTypes.TIMESTAMPTZ, false),
            new Column("paid", SqlTypes.BOOL, false),
            new Column("note", SqlTypes.TEXT, false)), List.of("order_id"));

    private static TableSchema schema(RowSchema source, ServerInfo server) {
        return new TableSchema(source.name(), source, server, "UInt64");
    }

    /** The record exactly as it would arrive from Kafka. */
    private static String encode(ServerInfo server, String row) {
        return encode(schema(FACT, server), server, row);
    }

    private static String encode(TableSchema schema, ServerInfo server, String row) {
        TableBatch batch = new TableBatch();
        new RowEncoder(server).encode(schema, bytes(row), batch);
        return new String(batch.content(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sourceColumnsNamedLikeTheVersionAndDeleteFlagAreColumns() {
        RowSchema source = RowSchema.table("public", "t", 7, List.of(new Column("id", SqlTypes.INT4, true),
                new Column("_version", SqlTypes.INT8, false), new Column("_deleted", SqlTypes.BOOL, false)), List.of("id"));
        assertThat(encode(schema(source, OLD), OLD, "{\"id\":1,\"_version\":-5,\"_deleted\":true,\"__version\":42,\"__deleted\":1}"))
                .isEqualTo("1\t-5\t1\t42\t1\n");
    }

    @Test
    void jsonValuesLandAsTheirJsonTextAndAJsonStringKeepsItsQuotes() {
        RowSchema source = RowSchema.table("public", "docs", 1, List.of(new Column("id", SqlTypes.INT4, true),
                new Column("doc", SqlTypes.JSONB, false), new Column("docs", SqlTypes.arrayOf(SqlTypes.JSONB, 3807), false)),
                List.of("id"));
        TableSchema schema = schema(source, OLD);
        assertThat(encode(schema, OLD, "{\"id\":1,\"doc\":\"str\",\"docs\":[\"a\",{\"b\":1}],\"_version\":1}"))
                .isEqualTo("1\t\"str\"\t['\"a\"','{\"b\":1}']\t1\t0\n");
        assertThat(encode(schema, OLD, "{\"id\":2,\"doc\":{\"a\":[1,\"x\\ty\"]},\"_version\":1}"))
                .isEqualTo("2\t{\"a\":[1,\"x\\\\ty\"]}\t[]\t1\t0\n");
        assertThat(encode(schema, OLD, "{\"id\":3,\"doc\":7,\"_version\":1}")).startsWith("3\t7\t");
    }

    @Test
    void encodesForOldAndCurrentServers() {
        String row = "{\"order_id\":1,\"total\":12345678901234567890.0123456789,\"created_at\":\"2026-11-24T12:00:00.123456+02:00\","
                + "\"paid\":true,\"note\":\"zoë\",\"_version\":9,\"_deleted\":1}";
        assertThat(encode(OLD, row)).isEqualTo("1\t12345678901234567890.0123456789\t2026-11-24 10:00:00\t1\tzoë\t9\t1\n");
        assertThat(encode(CURRENT, row)).isEqualTo("1\t12345678901234567890.0123456789\t2026-11-24 10:00:00.123456\ttrue\tzoë\t9\t1\n");
        assertThat(encode(OLD, "{\"order_id\":1,\"created_at\":\"2026-11-24 12:00:00+02\",\"_version\":1}"))
                .isEqualTo("1\t\\N\t2026-11-24 10:00:00\t\\N\t\\N\t1\t0\n");
    }

    @Test
    void aValueThatDoesNotFitNamesTableColumnAndType() {
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":\"abc\",\"_version\":1}"))
                .isInstanceOf(RowEncoder.BadRowException.class)
                .hasMessage("column order_fact.order_id (Int32): expected a whole number, got \"abc\"");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":3000000000,\"_version\":1}"))
                .hasMessage("column order_fact.order_id (Int32): expected a whole number that fits Int32, got 3000000000");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1,\"total\":\"lots\",\"_version\":1}"))
                .hasMessageContaining("order_fact.total (Nullable(Decimal(30, 10)))");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1,\"total\":1.00000000001,\"_version\":1}"))
                .hasMessageContaining("more than 10 digits after the point");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1,\"total\":123456789012345678901,\"_version\":1}"))
                .hasMessageContaining("out of the range of Decimal(30, 10)");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1}")).hasMessageContaining("_version");
    }

    @Test
    void exactDecimalsKeepTheirDigitsAndTrailingZerosAreNotAnOverflow() {
        assertThat(encode(OLD, "{\"order_id\":1,\"total\":0.10000000000000,\"_version\":1}")).startsWith("1\t0.1\t");
        assertThat(encode(OLD, "{\"order_id\":1,\"total\":1e3,\"_version\":1}")).startsWith("1\t1000\t");
    }

    @Test
    void decimalsThatFitAreCopiedAsWrittenAndOthersCheckedExactly() {
        RowSchema small = RowSchema.fact("prices", 1, List.of(
                new Column("id", SqlTypes.INT2, true),
                new Column("price", SqlTypes.numeric(4, 2), true)), List.of("id"));
        TableSchema schema = schema(small, OLD);
        for (String fits : List.of("99.99", "-99.99", "0.5", "0", "-0.01", "12", "0.00")) {
            assertThat(encode(schema, OLD, "{\"id\":1,\"price\":" + fits + ",\"_version\":1}")).isEqualTo("1\t" + fits + "\t1\t0\n");
        }
        assertThat(encode(schema, OLD, "{\"id\":1,\"price\":1.2000,\"_version\":1}")).isEqualTo("1\t1.2\t1\t0\n");
        assertThat(encode(schema, OLD, "{\"id\":1,\"price\":-1.5E1,\"_version\":1}")).isEqualTo("1\t-15\t1\t0\n");
        assertThatThrownBy(() -> encode(schema, OLD, "{\"id\":1,\"price\":100.00,\"_version\":1}"))
                .hasMessage("column prices.price (Decimal(4, 2)): 100.00 is out of the range of Decimal(4, 2)");
        assertThatThrownBy(() -> encode(schema, OLD, "{\"id\":1,\"price\":0.001,\"_version\":1}"))
                .hasMessage("column prices.price (Decimal(4, 2)): 0.001 has more than 2 digits after the point");
        assertThatThrownBy(() -> encode(schema, OLD, "{\"id\":40000,\"price\":1,\"_version\":1}"))
                .hasMessage("column prices.id (Int16): expected a whole number that fits Int16, got 40000");
        assertThat(encode(schema, OLD, "{\"id\":-32768,\"price\":1,\"_version\":9223372036854775807}"))
                .isEqualTo("-32768\t1\t9223372036854775807\t0\n");
        assertThat(encode(schema, OLD, "{\"id\":1,\"price\":1,\"_version\":0}")).isEqualTo("1\t1\t0\t0\n");
        assertThatThrownBy(() -> encode(schema, OLD, "{\"id\":1,\"price\":1,\"_version\":-3}")).hasMessage("record has no numeric _version");
    }

    @Test
    void fieldsOfDroppedColumnsAreSkippedAndReservedFieldsIgnored() {
        assertThat(encode(OLD, "{\"order_id\":1,\"tier\":\"gold\",\"_ingested_at\":\"x\",\"_version\":1}"))
                .isEqualTo("1\t\\N\t\\N\t\\N\t\\N\t1\t0\n");
    }

    @Test
    void notNullColumnsNeedAValueExceptInDeletedRows() {
        RowSchema strict = RowSchema.table("public", "items", 1, List.of(
                new Column("id", SqlTypes.INT8, true),
                new Column("qty", SqlTypes.INT4, true),
                new Column("tags", SqlTypes.arrayOf(SqlTypes.TEXT, 1009), false)), List.of("id"));
        TableSchema schema = schema(strict, CURRENT);
        assertThatThrownBy(() -> encode(schema, CURRENT, "{\"id\":1,\"_version\":1}"))
                .hasMessage("column items.qty (Int32) is NOT NULL but the record has no value for it");
        assertThatThrownBy(() -> encode(schema, CURRENT, "{\"id\":1,\"qty\":null,\"_version\":1}"))
                .hasMessage("column items.qty (Int32) is NOT NULL but the record has null for it");
        // a delete carries the key only; a NULL array is an empty one
        assertThat(encode(schema, CURRENT, "{\"id\":1,\"_version\":5,\"_deleted\":1}")).isEqualTo("1\t0\t[]\t5\t1\n");
        assertThat(encode(schema, CURRENT, "{\"id\":2,\"qty\":3,\"tags\":null,\"_version\":340282366920938463463374607431768211455}"))
                .isEqualTo("2\t3\t[]\t340282366920938463463374607431768211455\t0\n");
    }

    @Test
    void everyKindOfValueIsWrittenAsClickHouseReadsIt() {
        RowSchema all = RowSchema.table("public", "all_types", 1, List.of(
                new Column("id", SqlTypes.INT4, true),
                new Column("u", SqlTypes.UUID, false),
                new Column("d", SqlTypes.DATE, false),
                new Column("b", SqlTypes.BYTEA, false),
                new Column("j", SqlTypes.JSONB, false),
                new Column("a", SqlTypes.arrayOf(SqlTypes.TEXT, 1009), true),
                new Column("n", SqlTypes.arrayOf(SqlTypes.numeric(10, 2), 1231), true),
                new Column("f", SqlTypes.FLOAT8, false)), List.of("id"));
        TableSchema schema = schema(all, CURRENT);
        String row = "{\"id\":1,\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"d\":\"infinity\",\"b\":\"AEEKCQ==\","
                + "\"j\":{\"k\":\"ü\"},\"a\":[\"it's\",null,\"t\\tb\"],\"n\":[1.50,null],\"f\":\"-Infinity\",\"_version\":1}";
        assertThat(encode(schema, CURRENT, row)).isEqualTo("1\ta0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\t2299-12-31\t\\0A\\n\\t"
                + "\t{\"k\":\"ü\"}\t['it\\'s',NULL,'t\\tb']\t[1.50,NULL]\t-inf\t1\t0\n");
        assertThat(encode(schema, OLD, row.replace("infinity", "0044-03-15 BC"))).contains("\t1970-01-02\t");
        assertThatThrownBy(() -> encode(schema, CURRENT, "{\"id\":1,\"a\":[[\"x\"]],\"n\":[],\"_version\":1}"))
                .hasMessageContaining("multi-dimensional arrays");
        assertThatThrownBy(() -> encode(schema, CURRENT, "{\"id\":1,\"u\":\"nope\",\"a\":[],\"n\":[],\"_version\":1}"))
                .hasMessageContaining("all_types.u (Nullable(UUID)): expected a UUID");
    }

    @Test
    void rowsThatWouldFailTheWholeInsertAreRejectedOneByOne() {
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1,\"note\":\"a\",\"note\":\"b\",\"_version\":1}"))
                .hasMessage("field note appears twice");
        assertThatThrownBy(() -> encode(OLD, "{\"note\":\"a\",\"_version\":1}"))
                .hasMessage("key column order_fact.order_id is missing");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":null,\"_version\":1}"))
                .hasMessage("key column order_fact.order_id is null");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1,\"created_at\":\"2026-13-01T00:00:00Z\",\"_version\":1}"))
                .hasMessageContaining("order_fact.created_at");
        assertThatThrownBy(() -> encode(OLD, "[1]")).hasMessage("record value must be a JSON object");
        assertThatThrownBy(() -> encode(OLD, "{\"order_id\":1,")).hasMessageStartingWith("malformed JSON");
    }

    @Test
    void theEncoderStartsCleanAfterARefusedRow() {
        TableSchema schema = schema(FACT, OLD);
        RowEncoder encoder = new RowEncoder(OLD);
        TableBatch batch = new TableBatch();
        assertThatThrownBy(() -> encoder.encode(schema, bytes("{\"order_id\":1,\"note\":null,\"total\":\"x\",\"_version\":1}"), batch));
        encoder.encode(schema, bytes("{\"order_id\":2,\"note\":null,\"_version\":1}"), batch);
        assertThat(new String(batch.content(), StandardCharsets.UTF_8)).isEqualTo("2\t\\N\t\\N\t\\N\t\\N\t1\t0\n");
    }

    @Test
    void valuesThatAreNotTheCommonShapeTakeTheGeneralPath() {
        String row = "{\"order_id\":1.0,\"total\":1e2,\"paid\":false,\"note\":{\"a\":[1,2]},\"_version\":2,\"_deleted\":true}";
        assertThat(encode(OLD, row)).isEqualTo("1\t100\t\\N\t0\t{\"a\":[1,2]}\t2\t1\n");
    }

    @Test
    void textIsEscapedSoThatNoValueCanBreakTheLine() {
        String row = "{\"order_id\":7,\"note\":\"a\\tb\\nc\\\\d\\r\\u0000 \\ud83d\\ude00 ✓\",\"_version\":1}";
        assertThat(encode(OLD, row)).isEqualTo("7\t\\N\t\\N\t\\N\ta\\tb\\nc\\\\d\\r\\0 \ud83d\ude00 ✓\t1\t0\n");
        assertThat(encode(OLD, "{\"order_id\":8,\"note\":12.50,\"_version\":1}")).isEqualTo("8\t\\N\t\\N\t\\N\t12.50\t1\t0\n");
    }

    @Test
    void aBatchHoldsRowsOfOneShape() {
        RowEncoder encoder = new RowEncoder(OLD);
        TableBatch batch = new TableBatch();
        encoder.encode(schema(FACT, OLD), bytes("{\"order_id\":1,\"_version\":1}"), batch);
        assertThatThrownBy(() -> encoder.encode(schema(FACT, OLD), bytes("{\"order_id\":2,\"_version\":1}"), batch))
                .hasMessageContaining("flush it first");
    }

    @Test
    void floatSpecialValuesUseClickHouseSpelling() {
        RowSchema readings = RowSchema.fact("readings", 1, List.of(new Column("id", SqlTypes.INT8, true),
                new Column("v", SqlTypes.FLOAT8, false)), List.of("id"));
        TableSchema floats = schema(readings, OLD);
        RowEncoder encoder = new RowEncoder(OLD);
        TableBatch batch = new TableBatch();
        for (String v : new String[] {"\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "1.5e300"}) {
            encoder.encode(floats, bytes("{\"id\":1,\"v\":" + v + ",\"_version\":1}"), batch);
        }
        assertThat(new String(batch.content(), StandardCharsets.UTF_8))
                .isEqualTo("1\tnan\t1\t0\n1\tinf\t1\t0\n1\t-inf\t1\t0\n1\t1.5e300\t1\t0\n");
    }
}
