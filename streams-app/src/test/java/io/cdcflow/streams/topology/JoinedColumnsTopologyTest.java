package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.DELETE;
import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.streams.facts.FactPlan;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;

/**
 * A change of a column only the table's own fact reads (an order's total: order_fact's, not order_item_fact's join to
 * orders) reaches that fact and no join of the table: no copy to every partition where the join is done inside each
 * task, no response where it goes through Kafka. A change of a column the join reads, a delete and a new row do.
 */
class JoinedColumnsTopologyTest {
    private static final String ITEM = "{\"order_item_id\":100}";

    @Test
    void throughKafkaAParentChangeOfAColumnNoJoinReadsSendsNoResponse() {
        try (TopologyFixture f = new TopologyFixture()) {
            TestOutputTopic<String, byte[]> responses = output(f, "cdcflow-streams-order_item_fact-o-parents-changelog");
            seed(f);
            assertThat(responses.readRecordsToList()).as("the item's subscription answered").hasSize(1);
            assertSentOnlyWhatTheJoinReads(f, responses);
        }
    }

    @Test
    void insideEachTaskAParentChangeOfAColumnNoJoinReadsIsNotCopied() {
        try (TopologyFixture f = new TopologyFixture(Map.of("STREAMS_LOCAL_TABLES", "customers,products,orders"))) {
            FactPlan items = f.plans.stream().filter(p -> p.name().equals("order_item_fact")).findFirst().orElseThrow();
            TestOutputTopic<String, byte[]> copies = output(f, FactStateNames.copyTopic(f.config, items, "orders"));
            seed(f);
            assertThat(copies.readRecordsToList()).as("the new order copied").hasSize(1);
            assertSentOnlyWhatTheJoinReads(f, copies);
        }
    }

    private static void seed(TopologyFixture f) {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("products", INSERT, row("id", 1, "name", "Pen", "category", "office", "price", 1));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        f.change("order_items", INSERT, row("id", 100, "order_id", 10, "product_id", 1, "quantity", 1, "price", 1));
    }

    /** {@code sent}: what the join of order_item_fact to orders writes for a change of an order. */
    private static void assertSentOnlyWhatTheJoinReads(TopologyFixture f, TestOutputTopic<String, byte[]> sent) {
        int items = f.emitted("order_item_fact").size();
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 6, "status", "new"));
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 7, "status", "new"));
        assertThat(sent.readRecordsToList()).as("the total is order_fact's only").isEmpty();
        assertThat(f.highestVersion("order_fact").get("{\"order_id\":10}").get("total").asDouble()).isEqualTo(7.0);
        assertThat(f.emitted("order_item_fact")).hasSize(items);

        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 8, "status", "paid"));
        assertThat(sent.readRecordsToList()).as("the status is read by the join").hasSize(1);
        assertThat(f.highestVersion("order_item_fact").get(ITEM).get("order_status").asText()).isEqualTo("paid");

        f.change("orders", DELETE, row("id", 10, "customer_id", 1, "total", 8, "status", "paid"));
        assertThat(sent.readRecordsToList()).as("a delete").hasSize(1);
        assertThat(f.highestVersion("order_item_fact").get(ITEM).get("order_status").isNull()).isTrue();
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 8, "status", "paid"));
        assertThat(sent.readRecordsToList()).as("the row again, with the columns it had").hasSize(1);
        assertThat(f.highestVersion("order_item_fact").get(ITEM).get("order_status").asText()).isEqualTo("paid");
    }

    private static TestOutputTopic<String, byte[]> output(TopologyFixture f, String topic) {
        return f.driver.createOutputTopic(topic, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }
}
