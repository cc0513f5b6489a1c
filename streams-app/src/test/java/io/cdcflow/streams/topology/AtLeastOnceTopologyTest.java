package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every test of the default facts again under {@code STREAMS_PROCESSING_GUARANTEE=at_least_once}, where the source
 * tables are plain aggregations and nothing unchanged is dropped: a crash there can keep a store's update and lose
 * the record sent for it, and the replay must send it again.
 */
class AtLeastOnceTopologyTest extends DefaultFactsTopologyTest {
    @Override
    TopologyFixture fixture() {
        return new TopologyFixture(Map.of("STREAMS_PROCESSING_GUARANTEE", "at_least_once"));
    }

    @Test
    void anUnchangedRowIsSentAgain() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x", "notes", "n"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        int before = f.emitted("order_fact").size();
        f.change("customers", UPDATE, row("id", 1, "name", "Ada", "email", "a@x", "notes", "read by no fact"));
        assertThat(f.emitted("order_fact")).hasSize(before + 1);
    }
}
