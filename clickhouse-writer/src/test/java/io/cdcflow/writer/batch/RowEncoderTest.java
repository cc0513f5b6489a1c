package io.cdcflow.writer.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.json.Json;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RowEncoderTest {
    private final TableSchema schema = TableSchema.fromFirstRecord("order_fact", Json.read("{\"order_id\":1}"),
            Json.read("{\"order_id\":1,\"total\":5.25,\"created_at\":\"2026-11-24T10:00:00.123456Z\",\"paid\":true,\"note\":\"x\"}"));

    /** The record exactly as it would arrive from Kafka. */
    private String encode(ServerInfo server, String row) {
        TableBatch batch = new TableBatch();
        assertThat(new RowEncoder(server).encode(schema, bytes(row), batch)).isTrue();
        return new String(batch.content(), StandardCharsets.UTF_8);
    }

    @Test
    void encodesForOldAndCurrentServers() {
        String row = "{\"order_id\":1,\"total\":12345678901234567890.0123456789,\"created_at\":\"2026-11-24T12:00:00.123456+02:00\","
                + "\"paid\":true,\"note\":\"zoë\",\"_version\":9,\"_deleted\":1}";
        // columns in schema order: order_id, total, created_at, paid, note, then _version and _deleted
        assertThat(encode(ServerInfo.parse("18.16.1"), row))
                .isEqualTo("1\t12345678901234567890.0123456789\t2026-11-24 10:00:00\t1\tzoë\t9\t1\n");
        assertThat(encode(ServerInfo.parse("25.8.1"), row)).isEqualTo("1\t12345678901234567890.0123456789\t2026-11-24 10:00:00.123456\ttrue\tzoë\t9\t1\n");
        assertThat(encode(ServerInfo.parse("18.16.1"), "{\"order_id\":1,\"created_at\":\"2026-11-24 12:00:00+02\",\"_version\":1}"))
                .isEqualTo("1\t\\N\t2026-11-24 10:00:00\t\\N\t\\N\t1\t0\n");
    }

    @Test
    void aValueThatDoesNotFitNamesTableAndColumn() {
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"order_id\":\"abc\",\"_version\":1}"))
                .isInstanceOf(RowEncoder.BadRowException.class)
                .hasMessage("column order_fact.order_id (Int64): expected a whole number for Int64, got \"abc\"");
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"order_id\":1,\"total\":\"lots\",\"_version\":1}"))
                .hasMessageContaining("order_fact.total");
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"order_id\":1}"))
                .hasMessageContaining("_version");
    }

    @Test
    void aFieldTheTableLacksAsksForTheSchemaFirstAndNullsOfUnknownColumnsAreSkipped() {
        RowEncoder encoder = new RowEncoder(ServerInfo.parse("18.16.1"));
        TableBatch batch = new TableBatch();
        assertThat(encoder.encode(schema, bytes("{\"order_id\":1,\"tier\":\"gold\",\"_version\":1}"), batch)).isFalse();
        assertThat(batch.rows()).isZero();
        assertThat(encoder.encode(schema, bytes("{\"order_id\":1,\"tier\":null,\"_ingested_at\":\"x\",\"_version\":1}"), batch)).isTrue();
        // the encoder starts clean after an abandoned row
        assertThat(new String(batch.content(), StandardCharsets.UTF_8)).isEqualTo("1\t\\N\t\\N\t\\N\t\\N\t1\t0\n");
    }

    @Test
    void rowsThatWouldFailTheWholeInsertAreRejectedOneByOne() {
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"order_id\":1,\"note\":\"a\",\"note\":\"b\",\"_version\":1}"))
                .hasMessage("field note appears twice");
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"note\":\"a\",\"_version\":1}"))
                .hasMessage("key column order_fact.order_id is missing");
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"order_id\":null,\"_version\":1}"))
                .hasMessage("key column order_fact.order_id is null");
        assertThatThrownBy(() -> encode(ServerInfo.parse("18.16.1"), "{\"order_id\":1,\"created_at\":\"2026-13-01T00:00:00Z\",\"_version\":1}"))
                .hasMessageContaining("order_fact.created_at");
        assertThatThrownBy(() -> new RowEncoder(ServerInfo.parse("18.16.1")).encode(schema, bytes("[1]"), new TableBatch()))
                .hasMessage("record value must be a JSON object");
        assertThatThrownBy(() -> new RowEncoder(ServerInfo.parse("18.16.1")).encode(schema, bytes("{\"order_id\":1,"), new TableBatch()))
                .hasMessageStartingWith("malformed JSON");
    }

    @Test
    void valuesThatAreNotTheCommonShapeTakeTheGeneralPath() {
        String row = "{\"order_id\":1.0,\"total\":1e2,\"paid\":false,\"note\":{\"a\":[1,2]},\"_version\":2.0,\"_deleted\":true}";
        assertThat(encode(ServerInfo.parse("18.16.1"), row)).isEqualTo("1\t100\t\\N\t0\t{\"a\":[1,2]}\t2\t1\n");
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void textIsEscapedSoThatNoValueCanBreakTheLine() {
        String row = "{\"order_id\":7,\"note\":\"a\\tb\\nc\\\\d\\r\\u0000 \\ud83d\\ude00 ✓\",\"_version\":1}";
        assertThat(encode(ServerInfo.parse("18.16.1"), row)).isEqualTo("7\t\\N\t\\N\t\\N\ta\\tb\\nc\\\\d\\r\\0 \ud83d\ude00 ✓\t1\t0\n");
        assertThat(encode(ServerInfo.parse("18.16.1"), "{\"order_id\":8,\"note\":12.50,\"_version\":1}"))
                .isEqualTo("8\t\\N\t\\N\t\\N\t12.50\t1\t0\n");
    }

    @Test
    void aBatchHoldsRowsOfOneShape() {
        RowEncoder encoder = new RowEncoder(ServerInfo.parse("18.16.1"));
        TableBatch batch = new TableBatch();
        assertThat(encoder.encode(schema, bytes("{\"order_id\":1,\"_version\":1}"), batch)).isTrue();
        schema.add("tier", io.cdcflow.writer.schema.ColumnType.STRING);
        assertThatThrownBy(() -> encoder.encode(schema, bytes("{\"order_id\":2,\"tier\":\"gold\",\"_version\":1}"), batch))
                .hasMessageContaining("flush it first");
    }

    @Test
    void floatSpecialValuesUseClickHouseSpelling() {
        java.util.Map<String, io.cdcflow.writer.schema.ColumnType> columns = new java.util.LinkedHashMap<>();
        columns.put("id", io.cdcflow.writer.schema.ColumnType.INT64);
        columns.put("v", io.cdcflow.writer.schema.ColumnType.FLOAT64);
        TableSchema floats = new TableSchema("readings", java.util.List.of("id"), columns);
        RowEncoder encoder = new RowEncoder(ServerInfo.parse("18.16.1"));
        TableBatch batch = new TableBatch();
        for (String v : new String[] {"\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "1.5e300"}) {
            assertThat(encoder.encode(floats, bytes("{\"id\":1,\"v\":" + v + ",\"_version\":1}"), batch)).isTrue();
        }
        assertThat(new String(batch.content(), StandardCharsets.UTF_8))
                .isEqualTo("1\tnan\t1\t0\n1\tinf\t1\t0\n1\t-inf\t1\t0\n1\t1.5e300\t1\t0\n");
    }
}
