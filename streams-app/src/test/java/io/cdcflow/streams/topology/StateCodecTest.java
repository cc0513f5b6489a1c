package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StateCodecTest {
    /** Every kind of value a change event's payload holds, as Jackson parses it. */
    private static final ObjectNode COLUMNS = (ObjectNode) Json.read("""
            {"id":7,"big":9007199254740993123,"huge":123456789012345678901234567890,"price":12.50,"neg":-0.001,"tiny":-3,
             "name":"zoë \\u0000 tab\\t","empty":"","nothing":null,"yes":true,"no":false,"tags":["a",1,null,[2.5]],
             "doc":{"k":{"n":[]}},"__deleted":true,"_version":-1}""");

    @Test
    void rowsComeBackEqualToFreshlyParsedOnes() {
        SourceRow row = new SourceRow(0xFFFF_FFFF_0000_0001L, 42, false, COLUMNS);
        byte[] bytes = StateCodec.sourceRows().serializer().serialize("t", row);
        SourceRow back = StateCodec.sourceRows().deserializer().deserialize("t", bytes);
        assertThat(back).isEqualTo(row);
        assertThat(Json.text(back.columns())).isEqualTo(Json.text(COLUMNS)); // order and decimal scale kept
        assertThat(back.get("price").decimalValue().scale()).isEqualTo(2);
        assertThat(StateCodec.isCurrent(bytes)).isTrue();
    }

    @Test
    void joinedRowsKeepTheirPositionsAndGaps() {
        SourceRow root = new SourceRow(5, 0, false, (ObjectNode) Json.read("{\"id\":1}"));
        SourceRow gone = new SourceRow(9, 3, true, (ObjectNode) Json.read("{\"id\":2}"));
        JoinedRows joined = JoinedRows.root(root, 3).with(2, gone);
        byte[] bytes = StateCodec.joinedRows().serializer().serialize("t", joined);
        JoinedRows back = StateCodec.joinedRows().deserializer().deserialize("t", bytes);
        assertThat(back).isEqualTo(joined);
        assertThat(back.row(1)).isNull();
        assertThat(back.newestLsn()).isEqualTo(9);
        // deterministic: a foreign-key join compares hashes of serialized rows
        assertThat(StateCodec.joinedRows().serializer().serialize("t", back)).isEqualTo(bytes);
    }

    @Test
    void stateOfAnEarlierVersionIsRefusedWithTheWayOut() {
        byte[] smile = {':', ')', '\n', 0};
        byte[] text = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(StateCodec.isCurrent(smile)).isFalse();
        assertThat(StateCodec.isCurrent(text)).isFalse();
        assertThatThrownBy(() -> StateCodec.sourceRows().deserializer().deserialize("app-orders-table-changelog", smile))
                .hasMessageContaining("app-orders-table-changelog").hasMessageContaining("reset the application");
    }
}
