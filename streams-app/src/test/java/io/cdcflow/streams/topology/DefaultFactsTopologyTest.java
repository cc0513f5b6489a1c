package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.DELETE;
import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.READ;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default facts (facts/typeorm.sql) in the topology: every join path, update, delete and failure. */
class DefaultFactsTopologyTest {
    final TopologyFixture f = fixture();

    /** The topology under test; {@link LocalTablesTopologyTest} runs every test here with small tables joined locally. */
    TopologyFixture fixture() {
        return new TopologyFixture();
    }

    @AfterEach
    void close() {
        f.close();
    }

    private JsonNode orderFact(int id) {
        return f.highestVersion("order_fact").get("{\"order_id\":" + id + "}");
    }

    private JsonNode itemFact(int id) {
        return f.highestVersion("order_item_fact").get("{\"order_item_id\":" + id + "}");
    }

    @Test
    void orderJoinsItsCustomer() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "ada@example.com"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", new BigDecimal("99.99"), "status", "pending",
                "created_at", "2026-11-24T10:00:00Z"));
        assertThat(orderFact(10).toString()).startsWith("{\"order_id\":10,\"customer_id\":1,\"customer_name\":\"Ada\","
                + "\"customer_email\":\"ada@example.com\",\"total\":99.99,\"status\":\"pending\",\"created_at\":\"2026-11-24T10:00:00Z\","
                + "\"_version\":");
        assertThat(orderFact(10).get("_deleted").asInt()).isZero();
    }

    @Test
    void orderBeforeItsCustomerAppearsWithNullsThenIsCompleted() {
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        assertThat(orderFact(10).get("customer_name").isNull()).isTrue();
        f.change("customers", READ, row("id", 1, "name", "Ada", "email", "a@x"));
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
    }

    @Test
    void customerRenameReemitsEveryOrderOfTheCustomer() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        for (int id = 10; id < 15; id++) {
            f.change("orders", INSERT, row("id", id, "customer_id", 1, "total", id, "status", "new"));
        }
        f.change("customers", UPDATE, row("id", 1, "name", "Ada Lovelace", "email", "a@x"));
        for (int id = 10; id < 15; id++) {
            assertThat(orderFact(id).get("customer_name").asText()).isEqualTo("Ada Lovelace");
        }
    }

    @Test
    void orderMovedToAnotherCustomerTakesTheNewCustomer() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("customers", INSERT, row("id", 2, "name", "Bob", "email", "b@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
        f.change("orders", UPDATE, row("id", 10, "customer_id", 2, "total", 1, "status", "new"));
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Bob");
        f.change("customers", UPDATE, row("id", 1, "name", "Ada renamed", "email", "a@x"));
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Bob");
    }

    @Test
    void newestStateWinsEvenWhenTheDimensionTopicLagsBehind() {
        // In PostgreSQL: order 10 moves to customer 2 at LSN 0x900, then customer 1 is renamed at 0xA00.
        // The streams-app sees the rename first (the customers topic is ahead), then the move.
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"), 0x100, 0);
        f.change("customers", INSERT, row("id", 2, "name", "Bob", "email", "b@x"), 0x200, 0);
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"), 0x300, 0);
        f.change("customers", UPDATE, row("id", 1, "name", "Ada renamed", "email", "a@x"), 0xA00, 0);
        f.change("orders", UPDATE, row("id", 10, "customer_id", 2, "total", 1, "status", "new"), 0x900, 0);
        JsonNode winner = orderFact(10);
        assertThat(winner.get("customer_name").asText()).isEqualTo("Bob");
        assertThat(winner.get("_version").asLong()).isGreaterThan(0xA00);
        assertThat(f.highestVersion("order_fact")).isEqualTo(f.latest("order_fact"));
    }

    @Test
    void versionsStrictlyIncreasePerKey() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 2, "status", "paid"));
        f.change("customers", UPDATE, row("id", 1, "name", "A", "email", "a@x"));
        List<Long> versions = f.emitted("order_fact").stream().map(r -> r.value().get("_version").asLong()).toList();
        assertThat(versions).hasSizeGreaterThanOrEqualTo(3).isSorted().doesNotHaveDuplicates();
    }

    /**
     * A fact's version is the newest LSN among its inputs, a joined row's delete included: a fact that changed after
     * a snapshot's LSN is never versioned at or below it (what a snapshot's facts loaded from PostgreSQL at that LSN
     * would rely on, bench/README.md, nineteenth session).
     */
    @Test
    void aJoinedRowsDeleteVersionsTheFactsThatLoseIt() {
        f.change("customers", READ, row("id", 1, "name", "Ada", "email", "a@x"), 0x100, 0);
        f.change("products", READ, row("id", 5, "name", "Pen", "category", "office", "price", 2), 0x100, 1);
        f.change("orders", READ, row("id", 10, "customer_id", 1, "total", 1, "status", "new"), 0x100, 2);
        f.change("order_items", READ, row("id", 100, "order_id", 10, "product_id", 5, "quantity", 1, "price", 2), 0x100, 3);
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
        assertThat(itemFact(100).get("product_name").asText()).isEqualTo("Pen");
        assertThat(itemFact(100).get("order_status").asText()).isEqualTo("new");

        f.change("customers", DELETE, row("id", 1), 0x900, 0);
        assertThat(orderFact(10).get("customer_name").isNull()).isTrue();
        assertThat(orderFact(10).get("_version").asLong()).isGreaterThanOrEqualTo(0x900);

        f.change("products", DELETE, row("id", 5), 0xA00, 0);
        assertThat(itemFact(100).get("product_name").isNull()).isTrue();
        assertThat(itemFact(100).get("_version").asLong()).isGreaterThanOrEqualTo(0xA00);

        f.change("orders", DELETE, row("id", 10), 0xB00, 0);
        assertThat(itemFact(100).get("order_status").isNull()).isTrue();
        assertThat(itemFact(100).get("_version").asLong()).isGreaterThanOrEqualTo(0xB00);
    }

    /** The export of the default facts a wal-producer announced at {@code lsn}, taken by the fixture's app. */
    private void exportedAt(long lsn) {
        f.snapshots.ownFacts(io.cdcflow.streams.facts.FactsFile.load(null).hashes());
        Map<String, io.cdcflow.common.facts.FactQueries.Query> facts = new java.util.LinkedHashMap<>();
        io.cdcflow.common.facts.FactQueries.parse(io.cdcflow.streams.facts.FactsFile.defaultSql(), "default facts")
                .forEach(q -> facts.put(q.name(), q));
        f.snapshots.exported(new io.cdcflow.common.kafka.FactsExport("slot", lsn, facts));
    }

    private void snapshotAt(long lsn) {
        f.change("customers", READ, row("id", 1, "name", "Ada", "email", "a@x"), lsn, 0);
        f.change("products", READ, row("id", 5, "name", "Pen", "category", "office", "price", 2), lsn, 1);
        f.change("orders", READ, row("id", 10, "customer_id", 1, "total", 1, "status", "new"), lsn, 2);
        f.change("order_items", READ, row("id", 100, "order_id", 10, "product_id", 5, "quantity", 1, "price", 2), lsn, 3);
    }

    /**
     * Facts a wal-producer exported at its snapshot's LSN S (PostgreSQL computed them) are not sent again under
     * exactly-once: the snapshot's rows only fold into the state. A change after S sends the facts it touches with a
     * version above S, deletes included. At-least-once takes no export (its version store may run ahead of what was sent).
     */
    @Test
    void anExportedSnapshotsFactsAreNotSentAgain() {
        exportedAt(0x2000);
        snapshotAt(0x2000);
        if (f.config.exactlyOnce()) {
            assertThat(f.emitted("order_fact")).isEmpty();
            assertThat(f.emitted("order_item_fact")).isEmpty();
            assertThat(f.emitted("customer_dim")).isEmpty();
        } else {
            assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
        }
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 1, "status", "paid"), 0x3000, 0);
        assertThat(orderFact(10).get("status").asText()).isEqualTo("paid");
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
        assertThat(orderFact(10).get("_version").asLong()).isGreaterThanOrEqualTo(0x3000);
        assertThat(itemFact(100).get("order_status").asText()).isEqualTo("paid");
        assertThat(itemFact(100).get("product_name").asText()).isEqualTo("Pen");
        assertThat(itemFact(100).get("_version").asLong()).isGreaterThanOrEqualTo(0x3000);

        f.change("products", DELETE, row("id", 5), 0x4000, 0);
        assertThat(itemFact(100).get("product_name").isNull()).isTrue();
        assertThat(itemFact(100).get("_version").asLong()).isGreaterThanOrEqualTo(0x4000);
        f.change("order_items", DELETE, row("id", 100), 0x5000, 0);
        assertThat(itemFact(100).get("_deleted").asInt()).isEqualTo(1);
    }

    /**
     * A key that had a row sent at or above the export's LSN before the app learnt of the export (the state topic is
     * read beside the stream) keeps being sent: the exported row, at that LSN, would not replace it.
     */
    @Test
    void aKeySentBeforeTheExportWasKnownIsSentToTheEnd() {
        f.change("orders", READ, row("id", 10, "customer_id", 1, "total", 1, "status", "new"), 0x2000, 2);
        JsonNode before = orderFact(10);
        assertThat(before.get("customer_name").isNull()).isTrue();
        exportedAt(0x2000);
        f.change("customers", READ, row("id", 1, "name", "Ada", "email", "a@x"), 0x2000, 0);
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
        assertThat(orderFact(10).get("_version").asLong()).isGreaterThan(before.get("_version").asLong());
    }

    /** An export of a view defined otherwise (another SELECT under the fact's name) is not taken: the facts are sent. */
    @Test
    void anExportOfAnotherDefinitionIsNotTaken() {
        f.snapshots.ownFacts(io.cdcflow.streams.facts.FactsFile.load(null).hashes());
        String other = "SELECT o.id AS order_id FROM orders o";
        f.snapshots.exported(new io.cdcflow.common.kafka.FactsExport("slot", 0x2000, Map.of("order_fact",
                new io.cdcflow.common.facts.FactQueries.Query("order_fact", other, io.cdcflow.common.facts.FactQueries.hash("order_fact", other)))));
        snapshotAt(0x2000);
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
    }

    @Test
    void deletedOrderIsEmittedAsDeletedWithAVersion() {
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
        long before = orderFact(10).get("_version").asLong();
        f.change("orders", DELETE, row("id", 10));
        JsonNode deleted = orderFact(10);
        assertThat(deleted.get("_deleted").asInt()).isEqualTo(1);
        assertThat(deleted.get("_version").asLong()).isGreaterThan(before);
        assertThat(deleted.get("order_id").asInt()).isEqualTo(10);
        assertThat(deleted.has("total")).as("a deleted fact row carries its key only").isFalse();
    }

    @Test
    void duplicateEventsHaveNoEffect() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"), 0x100, 0);
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"), 0x200, 0);
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 2, "status", "paid"), 0x300, 0);
        JsonNode before = orderFact(10);
        // the wal-producer restarted and re-sent both order events
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"), 0x200, 0);
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 2, "status", "paid"), 0x300, 0);
        JsonNode after = orderFact(10);
        assertThat(after.get("status").asText()).isEqualTo("paid");
        assertThat(after.get("total").asInt()).isEqualTo(2);
        assertThat(withoutVersion(after)).isEqualTo(withoutVersion(before));
    }

    @Test
    void unchangedToastColumnKeepsPreviousValue() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "long@x"));
        f.change("customers", UPDATE, row("id", 1, "name", "Ada L"), "email");
        JsonNode dim = f.highestVersion("customer_dim").get("{\"id\":1}");
        assertThat(dim.get("email").asText()).isEqualTo("long@x");
        assertThat(dim.get("name").asText()).isEqualTo("Ada L");
    }

    @Test
    void dimensionsCarryColumnsAddedLater() {
        f.change("products", INSERT, row("id", 5, "name", "Pen", "category", "office", "price", 2));
        f.change("products", UPDATE, row("id", 5, "name", "Pen", "category", "office", "price", 2, "color", "blue"));
        JsonNode dim = f.highestVersion("product_dim").get("{\"id\":5}");
        assertThat(dim.get("color").asText()).isEqualTo("blue");
        assertThat(dim.get("_deleted").asInt()).isZero();
    }

    @Test
    void orderItemJoinsProductAndOrder() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("products", INSERT, row("id", 5, "name", "Pen", "category", "office", "price", new BigDecimal("2.50")));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 7.5, "status", "new"));
        f.change("order_items", INSERT, row("id", 100, "order_id", 10, "product_id", 5, "quantity", 3, "price", new BigDecimal("2.50")));
        JsonNode fact = itemFact(100);
        assertThat(fact.toString()).startsWith("{\"order_item_id\":100,\"order_id\":10,\"customer_id\":1,\"product_id\":5,"
                + "\"product_name\":\"Pen\",\"product_category\":\"office\",\"quantity\":3,\"price\":2.50,\"line_total\":7.50,"
                + "\"order_status\":\"new\",\"_version\":");

        f.change("products", UPDATE, row("id", 5, "name", "Pen", "category", "stationery", "price", 2.5));
        assertThat(itemFact(100).get("product_category").asText()).isEqualTo("stationery");
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 7.5, "status", "shipped"));
        assertThat(itemFact(100).get("order_status").asText()).isEqualTo("shipped");
        f.change("order_items", DELETE, row("id", 100));
        assertThat(itemFact(100).get("_deleted").asInt()).isEqualTo(1);
    }

    @Test
    void itemBeforeProductAndOrderIsCompletedLater() {
        f.change("order_items", INSERT, row("id", 100, "order_id", 10, "product_id", 5, "quantity", 1, "price", 1));
        assertThat(itemFact(100).get("product_name").isNull()).isTrue();
        assertThat(itemFact(100).get("order_status").isNull()).isTrue();
        f.change("products", INSERT, row("id", 5, "name", "Pen", "category", "office", "price", 1));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
        assertThat(itemFact(100).get("product_name").asText()).isEqualTo("Pen");
        assertThat(itemFact(100).get("order_status").asText()).isEqualTo("new");
        assertThat(itemFact(100).get("customer_id").asInt()).isEqualTo(1);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndGoodOnesKeepFlowing() {
        String topic = f.config.inputTopic("customers");
        f.raw(topic, "{\"id\":1}", "{not json");
        f.raw(topic, null, "{\"_metadata\":{\"table\":\"customers\",\"operation\":\"insert\",\"lsn\":\"0/1\"},\"payload\":{\"id\":1}}");
        f.raw(topic, "{\"id\":2}", "{\"_metadata\":{\"table\":\"invoices\",\"operation\":\"insert\",\"lsn\":\"0/1\"},\"payload\":{\"id\":2}}");
        f.raw(topic, "{\"id\":3}", "{\"payload\":{\"id\":3}}");
        f.change("customers", INSERT, row("id", 4, "name", "Dee", "email", "d@x"));

        var dlq = f.driver.createOutputTopic(f.config.deadLetterTopic(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(4);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(dead).extracting(r -> header(r.headers().lastHeader("cdc.error")))
                .satisfiesExactly(
                        e -> assertThat(e).startsWith("malformed JSON"),
                        e -> assertThat(e).contains("no key"),
                        e -> assertThat(e).contains("unknown table 'invoices'"),
                        e -> assertThat(e).contains("_metadata"));
        assertThat(header(dead.get(0).headers().lastHeader("cdc.source"))).isEqualTo(topic + "[0]@0");
        assertThat(f.highestVersion("customer_dim")).containsKey("{\"id\":4}");
        assertThat(f.metrics.scrape()).contains("streams_dead_letter_total{topic=\"" + topic + "\",reason=\"malformed_json\"} 1");
    }

    private static JsonNode withoutVersion(JsonNode fact) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = fact.deepCopy();
        copy.remove("_version");
        return copy;
    }

    private static String header(Header h) {
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void singleTopicModeSplitsByTable() {
        try (TopologyFixture single = new TopologyFixture(Map.of("STREAMS_INPUT_TOPIC", "cdc_events"))) {
            single.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
            single.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
            assertThat(single.highestVersion("order_fact").get("{\"order_id\":10}").get("customer_name").asText()).isEqualTo("Ada");
        }
    }

    @Test
    void prismaFactsReadQuotedCamelCaseTablesAndColumns() throws Exception {
        String sql = java.nio.file.Files.readString(java.nio.file.Path.of("facts/prisma.sql"));
        try (TopologyFixture prisma = new TopologyFixture(sql, TestTables.prisma())) {
            prisma.change("Customer", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
            prisma.change("Order", INSERT, row("id", 10, "customerId", 1, "total", 1, "status", "new", "createdAt", "2026-11-24T10:00:00Z"));
            JsonNode fact = prisma.highestVersion("order_fact").get("{\"order_id\":10}");
            assertThat(fact.get("customer_id").asInt()).isEqualTo(1);
            assertThat(fact.get("customer_name").asText()).isEqualTo("Ada");
            assertThat(fact.get("created_at").asText()).isEqualTo("2026-11-24T10:00:00Z");
        }
    }
}
