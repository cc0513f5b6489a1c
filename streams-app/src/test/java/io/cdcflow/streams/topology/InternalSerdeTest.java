package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import org.junit.jupiter.api.Test;

class InternalSerdeTest {
    private final InternalSerde serde = new InternalSerde();

    @Test
    void treesComeBackAsTheSameJsonText() {
        String[] samples = {
            "{\"id\":5,\"big\":9223372036854775807,\"huge\":123456789012345678901234567890,\"neg\":-3}",
            "{\"total\":12.50,\"tiny\":0.000001,\"exp\":1E+3,\"zero\":0.0,\"nan\":\"NaN\"}",
            "{\"text\":\"Zoë ✓ 😀\\ttab\\nline\",\"empty\":\"\",\"null\":null,\"flag\":true,\"list\":[1,\"a\",null,{\"x\":[]}]}",
            "{\"o\":{\"i\":{\"id\":1,\"__commit_lsn\":27439104,\"__seq\":0,\"__deleted\":false},\"c\":{\"id\":\"key, with comma\"}}}"};
        for (String sample : samples) {
            JsonNode tree = Json.read(sample);
            byte[] bytes = serde.serializer().serialize("t", tree);
            assertThat(InternalSerde.isSmile(bytes)).isTrue();
            JsonNode back = serde.deserializer().deserialize("t", bytes);
            assertThat(back.toString()).isEqualTo(tree.toString());
            assertThat(back).isEqualTo(tree);
        }
    }

    @Test
    void stateWrittenAsJsonTextIsRefusedNotMisread() {
        assertThat(catchThrowable(() -> serde.deserializer().deserialize("app-orders-table-changelog", "{\"id\":1}".getBytes())))
                .hasMessageContaining("app-orders-table-changelog").hasMessageContaining("earlier streams-app version");
    }
}
