package io.cdcflow.streams.topology;

import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactSchemas;
import io.cdcflow.streams.facts.FactsFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Every output record names its output's schema, derived from the source schemas, and never an input's. */
class OutputSchemaHeaderTest {
    private static final Map<String, RowSchema> SOURCES = DemoTables.schemas();
    private final FactSchemas facts = new FactSchemas(FactsFile.load(null), "public");
    private final List<String> observed = new ArrayList<>();
    private final OutputSchemas schemas = new OutputSchemas() {
        @Override
        public void observe(String sourceSchemaId) {
            observed.add(sourceSchemaId);
        }

        @Override
        public String idFor(String output) {
            RowSchema schema = facts.derive(output, SOURCES::get);
            return schema == null ? null : schema.id();
        }
    };

    @Test
    void outputsCarryTheirDerivedSchemaIdAndSourceIdsAreObserved() {
        try (TopologyFixture f = new TopologyFixture(Map.of(), schemas)) {
            String ordersSchema = SOURCES.get("orders").id();
            ChangeEvent order = ChangeEvent.ofRow("orders", Operation.INSERT, row("id", 1, "customer_id", 7, "total", 12.5,
                    "status", "new", "created_at", "2026-11-24T10:00:00Z"), 0x2000, 0);
            RecordHeaders headers = new RecordHeaders();
            headers.add(RowSchema.HEADER, ordersSchema.getBytes(StandardCharsets.US_ASCII));
            f.raw(f.config.inputTopic("orders"), new TestRecord<>(order.key().toString(), ChangeEventCodec.valueBytes(order), headers));
            f.change("customers", Operation.INSERT, row("id", 7, "name", "Ada", "email", "ada@example.com"));

            assertThat(observed).contains(ordersSchema);
            var emitted = f.emitted("order_fact");
            assertThat(emitted).isNotEmpty();
            String expected = facts.derive("order_fact", SOURCES::get).id();
            assertThat(emitted).allSatisfy(r -> {
                Header[] named = r.headers().toArray();
                assertThat(named).hasSize(1);
                assertThat(new String(named[0].value(), StandardCharsets.US_ASCII)).isEqualTo(expected);
            });
            assertThat(f.emitted("customer_dim")).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(RowSchema.HEADER).value(),
                    StandardCharsets.US_ASCII)).isEqualTo(facts.derive("customer_dim", SOURCES::get).id()));
        }
    }
}
