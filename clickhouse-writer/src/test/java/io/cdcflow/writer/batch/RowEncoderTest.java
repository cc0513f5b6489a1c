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

    private String encode(ServerInfo server, String row) {
        return new String(new RowEncoder(server).encode(schema, Json.read(row)), StandardCharsets.UTF_8);
    }

    @Test
    void encodesForOldAndCurrentServers() {
        String row = "{\"order_id\":1,\"total\":12345678901234567890.0123456789,\"created_at\":\"2026-11-24T12:00:00.123456+02:00\","
                + "\"paid\":true,\"note\":\"zoë\",\"_version\":9,\"_deleted\":1}";
        assertThat(encode(ServerInfo.parse("18.16.1"), row)).isEqualTo("{\"order_id\":1,\"total\":12345678901234567890.0123456789,"
                + "\"created_at\":\"2026-11-24 10:00:00\",\"paid\":1,\"note\":\"zoë\",\"_version\":9,\"_deleted\":1}\n");
        assertThat(encode(ServerInfo.parse("25.8.1"), row)).contains("\"created_at\":\"2026-11-24 10:00:00.123456\"", "\"paid\":true");
        assertThat(encode(ServerInfo.parse("18.16.1"), "{\"order_id\":1,\"created_at\":\"2026-11-24 12:00:00+02\",\"_version\":1}"))
                .contains("\"created_at\":\"2026-11-24 10:00:00\"");
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
}
