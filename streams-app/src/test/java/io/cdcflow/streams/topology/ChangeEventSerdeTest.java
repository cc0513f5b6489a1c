package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import org.junit.jupiter.api.Test;

class ChangeEventSerdeTest {
    @Test
    void anEventWrittenReadsBackAsTheWalProducerWroteIt() {
        ChangeEventSerde serde = new ChangeEventSerde();
        ChangeEvent event = ChangeEvent.ofRow("orders", Operation.UPDATE,
                Json.object().put("id", 7).put("total", new java.math.BigDecimal("12.50")).put("status", "line\nbreak"), 0x16B3748L, 3);
        byte[] bytes = serde.serializer().serialize("t", event);
        assertThat(bytes).isEqualTo(ChangeEventCodec.valueBytes(event));
        ChangeEvent back = serde.deserializer().deserialize("t", bytes);
        assertThat(back.metadata()).isEqualTo(event.metadata());
        assertThat(back.payload()).isEqualTo(event.payload());
        assertThat(back.payload().get("total").decimalValue()).isEqualTo("12.50");
    }
}
