package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.DELETE;
import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.Operation;
import io.cdcflow.streams.facts.FactPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every test of the default facts again, with customers and products joined inside each task (STREAMS_LOCAL_TABLES),
 * and the same random histories through both topologies ending in the same facts.
 */
class LocalTablesTopologyTest extends DefaultFactsTopologyTest {
    private static final Map<String, String> LOCAL = Map.of("STREAMS_LOCAL_TABLES", "customers,products");

    @Override
    TopologyFixture fixture() {
        return new TopologyFixture(LOCAL);
    }

    @Test
    void smallTablesAreJoinedLocallyAndTheRestThroughKafka() {
        Map<String, FactPlan> plans = new LinkedHashMap<>();
        f.plans.forEach(p -> plans.put(p.name(), p));
        JoinPaths paths = JoinPaths.toTables(f.plans, f.config.localTables());
        assertThat(paths.local(plans.get("order_fact"))).containsExactly(0);
        assertThat(paths.local(plans.get("order_item_fact")))
                .extracting(j -> plans.get("order_item_fact").joins().get(j).table()).containsExactly("products");
        assertThat(FactStateNames.store(plans.get("order_item_fact"), paths)).as("the root table's: the join through Kafka keeps its "
                + "parent rows per pair, and no joined rows").isEqualTo("order_items-table");
        assertThat(RowsSoFar.paired(plans.get("order_item_fact"), paths)).isTrue();
        assertThat(FactStateNames.store(plans.get("order_fact"), paths)).as("the root table's").isEqualTo("orders-table");
        String topology = FactTopology.build(f.config, f.plans, new io.cdcflow.common.ops.Metrics(), OutputSchemas.NONE).describe().toString();
        assertThat(topology).contains("order_fact-local-joins", "order_item_fact-products-copies-everywhere", "order_item_fact-o-join")
                .doesNotContain("order_fact-c-join", "order_item_fact-p-join")
                .as("every node named, so internal topics keep their names").doesNotContainPattern("KTABLE-[A-Z-]+-\\d{10}|KSTREAM-[A-Z-]+-\\d{10}");
    }

    @Test
    void interactiveQueriesJoinTheStoredRowsWithTheTaskCopies() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        f.change("customers", UPDATE, row("id", 1, "name", "Ada L", "email", "a@x"));
        FactPlan orders = f.plans.stream().filter(p -> p.name().equals("order_fact")).findFirst().orElseThrow();
        JoinPaths paths = JoinPaths.toTables(f.plans, f.config.localTables());
        io.cdcflow.streams.model.JoinedRows rows = RowsSoFar.read(orders, paths, "{\"id\":10}", orders.joins().size(),
                (store, key) -> f.driver.getKeyValueStore(store).get(key));
        io.cdcflow.streams.model.JoinedRows joined = FactTopology.joinLocally(orders, paths, rows, (table, key) ->
                f.driver.<String, io.cdcflow.streams.model.SourceRow>getKeyValueStore(FactStateNames.replicaStore(orders, table)).get(key));
        assertThat(io.cdcflow.streams.facts.FactRows.compute(orders, joined).columns().get("customer_name").asText()).isEqualTo("Ada L");
    }

    @Test
    void aLocalTableNoFactJoinsIsAnErrorNamingTheOnesThatCanBe() {
        JoinPaths.checkTables(f.plans, List.of("customers", "products"), "STREAMS_LOCAL_TABLES");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JoinPaths.checkTables(f.plans, List.of("customer", "orders_x"), "STREAMS_LOCAL_TABLES"))
                .hasMessage("STREAMS_LOCAL_TABLES names [customer, orders_x], which no fact joins; the tables the facts join are "
                        + "[customers, orders, products]");
    }

    @Test
    void aFactRowThatMovedIsNotJoinedAgainWhenItsFormerRowChanges() {
        f.change("products", INSERT, row("id", 1, "name", "Pen", "category", "office", "price", 1));
        f.change("products", INSERT, row("id", 2, "name", "Ink", "category", "office", "price", 1));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        f.change("order_items", INSERT, row("id", 100, "order_id", 10, "product_id", 1, "quantity", 1, "price", 1));
        f.change("order_items", UPDATE, row("id", 100, "order_id", 10, "product_id", 2, "quantity", 1, "price", 1));
        int before = f.emitted("order_item_fact").size();
        f.change("products", UPDATE, row("id", 1, "name", "Pen 2", "category", "office", "price", 1));
        assertThat(f.emitted("order_item_fact")).as("product 1 no longer has the item").hasSize(before);
        f.change("products", UPDATE, row("id", 2, "name", "Ink 2", "category", "office", "price", 1));
        assertThat(f.emitted("order_item_fact")).hasSize(before + 1);
        assertThat(f.highestVersion("order_item_fact").get("{\"order_item_id\":100}").get("product_name").asText()).isEqualTo("Ink 2");
        // the index no longer lists the item under product 1
        FactPlan items = f.plans.stream().filter(p -> p.name().equals("order_item_fact")).findFirst().orElseThrow();
        org.apache.kafka.streams.processor.StateStore left = f.driver.getTimestampedKeyValueStore(FactStateNames.store(items,
                JoinPaths.toTables(f.plans, f.config.localTables())));
        assertThat(JoinIndexStore.in(left).entries("order_item_fact")).hasSize(1).allMatch(k -> k.contains("{\"id\":2}"));
    }

    @Test
    void singleTopicInputJoinsLocallyToo() {
        try (TopologyFixture single = new TopologyFixture(Map.of("STREAMS_INPUT_TOPIC", "cdc_events", "STREAMS_LOCAL_TABLES", "customers"))) {
            single.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 1, "status", "new"));
            single.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
            assertThat(single.highestVersion("order_fact").get("{\"order_id\":10}").get("customer_name").asText()).isEqualTo("Ada");
        }
    }

    @Test
    void onlyJoinsNoOtherJoinGoesThroughAreLocal() {
        String sql = "CREATE VIEW item_customer AS SELECT i.id AS item_id, c.name AS customer_name, p.name AS product_name "
                + "FROM order_items i JOIN orders o ON i.order_id = o.id JOIN customers c ON o.customer_id = c.id "
                + "LEFT JOIN products p ON i.product_id = p.id;";
        try (TopologyFixture chain = new TopologyFixture(sql, io.cdcflow.streams.facts.DemoTables.schemas())) {
            FactPlan plan = chain.plans.get(0);
            // orders is the customers join's parent: it stays a foreign-key join even when listed
            assertThat(JoinPaths.toTables(plan, List.of("orders"))).isEmpty();
            assertThat(JoinPaths.toTables(plan, List.of("orders", "customers", "products")))
                    .extracting(j -> plan.joins().get(j).table()).containsExactly("customers", "products");
        }
    }

    @Test
    void whileASmallTablesCopiesAreIncompleteAFactWaitsForItsRowAndIsSentOnce() {
        String copies = FactStateNames.replicaStore(plan("order_fact"), "customers");
        f.snapshots.update(Map.of("customers", new SnapshotPositions.Table("s1", java.util.Set.of(0), Map.of())));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        f.change("orders", INSERT, row("id", 11, "customer_id", 2, "total", 6, "status", "new"));
        f.change("orders", INSERT, row("id", 12, "customer_id", null, "total", 7, "status", "new"));
        assertThat(f.emitted("order_fact")).as("the order without a customer is sent; those whose customer may still come wait")
                .extracting(r -> r.key()).containsExactly("{\"order_id\":12}");
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        assertThat(f.emitted("order_fact")).hasSize(2);
        assertThat(f.emitted("order_fact").get(1).value().get("customer_name").asText()).isEqualTo("Ada");

        // the table's snapshot is read, the copies of partition 0 not yet: still waiting
        f.snapshots.update(Map.of("customers", new SnapshotPositions.Table("s1", java.util.Set.of(), Map.of(copies, java.util.Set.of(0)))));
        f.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        assertThat(f.emitted("order_fact")).hasSize(2);
        // complete: the scan sends order 11 with no customer (LEFT JOIN), once, and order 10 not again
        f.snapshots.update(Map.of("customers", new SnapshotPositions.Table("s1", java.util.Set.of(), Map.of())));
        f.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        f.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        assertThat(f.emitted("order_fact")).hasSize(3);
        assertThat(f.emitted("order_fact").get(2).key()).isEqualTo("{\"order_id\":11}");
        assertThat(f.emitted("order_fact").get(2).value().get("customer_name").isNull()).isTrue();
        // outside the snapshot nothing waits: an order pointing at no customer goes out at once
        f.change("orders", INSERT, row("id", 13, "customer_id", 3, "total", 8, "status", "new"));
        assertThat(f.emitted("order_fact")).hasSize(4);
        // a second snapshot of the table holds again, and is scanned once it ends
        f.snapshots.update(Map.of("customers", new SnapshotPositions.Table("s2", java.util.Set.of(0), Map.of())));
        f.change("orders", UPDATE, row("id", 13, "customer_id", 4, "total", 8, "status", "new"));
        f.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        assertThat(f.emitted("order_fact")).hasSize(4);
        f.snapshots.update(Map.of("customers", new SnapshotPositions.Table("s2", java.util.Set.of(), Map.of())));
        f.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        assertThat(f.emitted("order_fact")).hasSize(5);
        assertThat(f.highestVersion("order_fact").get("{\"order_id\":13}").get("customer_id").asInt()).isEqualTo(4);
        assertThat(f.highestVersion("order_fact")).hasSize(4);
    }

    @Test
    void aHeldRowMissingRowsOfTwoSmallTablesWaitsForBoth() {
        String sql = "CREATE VIEW item_fact AS SELECT i.id AS item_id, p.name AS product_name, o.status AS order_status "
                + "FROM order_items i LEFT JOIN products p ON i.product_id = p.id LEFT JOIN orders o ON i.order_id = o.id;";
        try (TopologyFixture two = new TopologyFixture(io.cdcflow.streams.facts.FactsFile.parse(sql, "test facts"),
                io.cdcflow.streams.facts.DemoTables.schemas(), Map.of("STREAMS_LOCAL_TABLES", "products,orders"), OutputSchemas.NONE)) {
            two.snapshots.update(Map.of("products", new SnapshotPositions.Table("s", java.util.Set.of(0), Map.of()),
                    "orders", new SnapshotPositions.Table("s", java.util.Set.of(0), Map.of())));
            two.change("order_items", INSERT, row("id", 1, "order_id", 5, "product_id", 7, "quantity", 1, "price", 1));
            two.snapshots.update(Map.of("products", new SnapshotPositions.Table("s", java.util.Set.of(), Map.of()),
                    "orders", new SnapshotPositions.Table("s", java.util.Set.of(0), Map.of())));
            two.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            assertThat(two.emitted("item_fact")).as("the order may still come").isEmpty();
            two.snapshots.update(Map.of("products", new SnapshotPositions.Table("s", java.util.Set.of(), Map.of()),
                    "orders", new SnapshotPositions.Table("s", java.util.Set.of(), Map.of())));
            two.driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            assertThat(two.emitted("item_fact")).hasSize(1);
            assertThat(two.emitted("item_fact").get(0).value().get("order_status").isNull()).isTrue();
        }
    }

    private FactPlan plan(String name) {
        return f.plans.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void randomHistoriesEndInTheSameFactsWithAndWithoutLocalJoins() {
        sameFactsAfterRandomHistories(LOCAL, Map.of());
    }

    /** 20 random histories of the four tables, each through a topology with either settings, end in the same facts. */
    static void sameFactsAfterRandomHistories(Map<String, String> settings, Map<String, String> otherSettings) {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            try (TopologyFixture local = new TopologyFixture(settings); TopologyFixture remote = new TopologyFixture(otherSettings)) {
                for (int step = 0; step < 300; step++) {
                    String table = List.of("customers", "products", "orders", "order_items").get(random.nextInt(4));
                    int id = 1 + random.nextInt(table.equals("order_items") ? 12 : 5);
                    Operation op = random.nextInt(6) == 0 ? DELETE : random.nextBoolean() ? INSERT : UPDATE;
                    ObjectNode row = op == DELETE ? row("id", id) : switch (table) {
                        case "customers" -> row("id", id, "name", "c" + random.nextInt(100), "email", "e" + id);
                        case "products" -> row("id", id, "name", "p" + random.nextInt(100), "category", "k" + random.nextInt(3), "price", id);
                        case "orders" -> row("id", id, "customer_id", 1 + random.nextInt(6), "total", random.nextInt(50), "status", "s" + step);
                        default -> row("id", id, "order_id", 1 + random.nextInt(6), "product_id", 1 + random.nextInt(6),
                                "quantity", 1 + random.nextInt(3), "price", 2);
                    };
                    local.change(table, op, row.deepCopy());
                    remote.change(table, op, row);
                }
                for (String fact : List.of("order_fact", "order_item_fact")) {
                    assertThat(withoutVersions(local.highestVersion(fact))).as("%s, seed %d", fact, seed)
                            .isEqualTo(withoutVersions(remote.highestVersion(fact)));
                }
            }
        }
    }

    private static Map<String, JsonNode> withoutVersions(Map<String, JsonNode> facts) {
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        facts.forEach((key, fact) -> {
            ObjectNode copy = fact.deepCopy();
            copy.remove("_version");
            rows.put(key, copy);
        });
        return rows;
    }
}
