package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.json.Json;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rows joined so far of a fact in the paired layout: the root row and each join's pair, or pending. */
class RowsSoFarTest {
    private final List<FactPlan> plans = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.load(null));
    private final FactPlan items = plans.stream().filter(p -> p.name().equals("order_item_fact")).findFirst().orElseThrow();
    private final JoinPaths paths = JoinPaths.toTables(plans, List.of("products", "customers"));
    private final int orders = paths.local(items).contains(0) ? 1 : 0;
    private final Map<String, Object> stored = new HashMap<>();

    @Test
    void theRootRowWithThePairOfWhereItPointsOrPendingWhileThatPairIsMissing() {
        assertThat(RowsSoFar.paired(items, paths)).isTrue();
        assertThat(read("{\"id\":100}")).as("no root row").isNull();
        SourceRow item = new SourceRow(5, 0, false, Json.object().put("id", 100).put("order_id", 10).put("product_id", 1));
        stored.put(FactStateNames.tableStore("order_items") + "/{\"id\":100}", item);
        assertThat(read("{\"id\":100}")).as("its order's answer is on its way").isSameAs(RowsSoFar.PENDING);

        SourceRow order = new SourceRow(4, 0, false, Json.object().put("id", 10).put("customer_id", 1).put("status", "new"));
        stored.put(FactStateNames.pairStore(items, orders) + "/" + ForeignKeySubscriptions.key("{\"id\":11}", "{\"id\":100}"),
                new ForeignKeyResponse("{\"id\":11}", order));
        assertThat(read("{\"id\":100}")).as("a pair of another order is not this one's").isSameAs(RowsSoFar.PENDING);
        stored.put(FactStateNames.pairStore(items, orders) + "/" + ForeignKeySubscriptions.key("{\"id\":10}", "{\"id\":100}"),
                new ForeignKeyResponse("{\"id\":10}", order));
        JoinedRows rows = read("{\"id\":100}");
        assertThat(rows.root()).isEqualTo(item);
        assertThat(rows.row(orders + 1)).isEqualTo(order);

        SourceRow nowhere = new SourceRow(6, 0, false, Json.object().put("id", 100).put("order_id", (Integer) null).put("product_id", 1));
        stored.put(FactStateNames.tableStore("order_items") + "/{\"id\":100}", nowhere);
        assertThat(read("{\"id\":100}").row(orders + 1)).as("pointing nowhere: no parent row, not pending").isNull();
    }

    @Test
    void aFactWhoseJoinsChainKeepsItsJoinedRowsInItsLastJoinsStoreAndAStarTakesThePairs() throws Exception {
        List<FactPlan> example = new FactPlanner("public", TestTables.example()::get)
                .plan(FactsFile.load("../docs/example/facts.sql"));
        JoinPaths none = JoinPaths.foreignKeysOnly();
        Map<String, Boolean> paired = new HashMap<>();
        example.forEach(plan -> paired.put(plan.name(), RowsSoFar.paired(plan, none)));
        assertThat(paired).as("invoice lines -> invoices -> accounts -> regions: a chain; invoices -> two accounts: a star")
                .containsEntry("invoice_line_fact", false).containsEntry("invoice_fact", true).containsEntry("account_dim", false);
        FactPlan lines = example.stream().filter(p -> p.name().equals("invoice_line_fact")).findFirst().orElseThrow();
        assertThat(FactStateNames.store(lines, none)).endsWith("-joined");
    }

    private JoinedRows read(String key) {
        return RowsSoFar.read(items, paths, key, items.joins().size(), (store, k) -> stored.get(store + "/" + k));
    }
}
