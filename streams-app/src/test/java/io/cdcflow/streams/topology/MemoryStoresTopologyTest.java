package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.junit.jupiter.api.Test;

/**
 * Every test of the default facts again with the state in the heap (STREAMS_STATE_STORES=memory), and every store,
 * the foreign-key joins' subscriptions included, of that kind.
 */
class MemoryStoresTopologyTest extends DefaultFactsTopologyTest {
    @Override
    TopologyFixture fixture() {
        return new TopologyFixture(Map.of("STREAMS_STATE_STORES", "memory"));
    }

    @Test
    void everyStoreIsInTheHeapAndLogged() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        Map<String, StateStore> stores = f.driver.getAllStateStores();
        assertThat(stores).containsKeys("orders-table", "order_fact-c-parents", "order_fact-versions")
                .hasKeySatisfying(new org.assertj.core.api.Condition<>(name -> name.endsWith("-subscribers"), "a subscription store"));
        stores.forEach((name, store) -> assertThat(store.persistent()).as(name).isFalse());
        stores.forEach((name, store) -> assertThat(store.isOpen()).as(name).isTrue());
    }

    @Test
    void localJoinsKeepTheirCopiesInTheHeapToo() {
        try (TopologyFixture local = new TopologyFixture(Map.of("STREAMS_STATE_STORES", "memory", "STREAMS_LOCAL_TABLES", "customers,products"))) {
            local.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
            local.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
            local.change("customers", UPDATE, row("id", 1, "name", "Ada L", "email", "a@x"));
            assertThat(local.highestVersion("order_fact").get("{\"order_id\":10}").get("customer_name").asText()).isEqualTo("Ada L");
            assertThat(local.driver.getAllStateStores()).containsKey("order_fact-customers-copies")
                    .allSatisfy((name, store) -> assertThat(store.persistent()).as(name).isFalse());
        }
    }

    @Test
    void randomHistoriesEndInTheSameFactsInTheHeapAsInRocksDb() {
        LocalTablesTopologyTest.sameFactsAfterRandomHistories(Map.of("STREAMS_STATE_STORES", "memory"), Map.of());
        LocalTablesTopologyTest.sameFactsAfterRandomHistories(
                Map.of("STREAMS_STATE_STORES", "memory", "STREAMS_LOCAL_TABLES", "customers,products"), Map.of());
    }

    @Test
    void theDefaultKeepsEveryStoreInRocksDb() {
        try (TopologyFixture rocks = new TopologyFixture(Map.of())) {
            rocks.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
            assertThat(rocks.driver.getAllStateStores()).isNotEmpty().allSatisfy((name, store) -> assertThat(store.persistent()).as(name).isTrue());
        }
    }
}
