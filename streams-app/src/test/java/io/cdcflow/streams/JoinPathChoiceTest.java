package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.JoinPaths;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which joins each default fact does inside each task, from the tables' sizes, the setting and the existing state. */
class JoinPathChoiceTest {
    private static final Map<String, Long> ROWS = Map.of("customers", 5_000L, "products", 1_000L, "orders", 2_000_000L,
            "order_items", 4_000_000L);
    private final List<FactPlan> plans = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.load(null));

    @Test
    void smallTablesAreJoinedInsideEachTaskAndLargeOnesThroughKafka() {
        JoinPaths paths = JoinPathChoice.choose(config(Map.of()), plans, Set.of(), estimated(ROWS), table -> -1);
        assertThat(tables(paths, "order_fact")).containsExactly("customers");
        assertThat(tables(paths, "order_item_fact")).containsExactly("products");
        assertThat(paths.describe(plan("order_item_fact"))).isEqualTo("joined inside each task: products (p); through Kafka: orders (o)");
    }

    @Test
    void theThresholdIsASetting() {
        JoinPaths paths = JoinPathChoice.choose(config(Map.of("STREAMS_LOCAL_TABLE_MAX_ROWS", "2000")), plans, Set.of(),
                estimated(ROWS), table -> -1);
        assertThat(tables(paths, "order_fact")).isEmpty();
        assertThat(tables(paths, "order_item_fact")).containsExactly("products");
    }

    @Test
    void withoutPostgresEstimatesTheRecordsInTheTopicsDecideAndAnUnknownSizeGoesThroughKafka() {
        Map<String, Long> records = Map.of("customers", 10L, "products", -1L, "orders", 5_000_000L);
        JoinPaths paths = JoinPathChoice.choose(config(Map.of()), plans, Set.of(), DemoTables.schemas(), records::get);
        assertThat(tables(paths, "order_fact")).containsExactly("customers");
        assertThat(tables(paths, "order_item_fact")).isEmpty();
    }

    @Test
    void theSettingListsTheTablesOrNone() {
        assertThat(tables(JoinPathChoice.choose(config(Map.of("STREAMS_LOCAL_TABLES", "orders")), plans, Set.of(), estimated(ROWS),
                table -> -1), "order_item_fact")).containsExactly("orders");
        JoinPaths none = JoinPathChoice.choose(config(Map.of("STREAMS_LOCAL_TABLES", "none")), plans, Set.of(), estimated(ROWS), table -> -1);
        assertThat(tables(none, "order_fact")).isEmpty();
        assertThat(tables(none, "order_item_fact")).isEmpty();
    }

    @Test
    void aFactWithStateKeepsThePathsItsStateWasBuiltWith() {
        FactPlan items = plan("order_item_fact");
        FactPlan orders = plan("order_fact");
        Set<String> existing = new HashSet<>(Set.of(changelog(FactStateNames.versionStore(items)), changelog(FactStateNames.versionStore(orders)),
                FactStateNames.copyTopic(config(Map.of()), items, "products"), FactStateNames.copyTopic(config(Map.of()), items, "orders")));
        // by size, order_fact would join customers inside each task and order_item_fact only products
        JoinPaths paths = JoinPathChoice.choose(config(Map.of()), plans, existing, estimated(ROWS), table -> -1);
        assertThat(tables(paths, "order_item_fact")).containsExactly("products", "orders");
        assertThat(tables(paths, "order_fact")).as("state built with foreign-key joins only").isEmpty();
        // a fact added since has no state: the sizes decide
        existing.remove(changelog(FactStateNames.versionStore(orders)));
        assertThat(tables(JoinPathChoice.choose(config(Map.of()), plans, existing, estimated(ROWS), table -> -1), "order_fact"))
                .containsExactly("customers");
    }

    @Test
    void stateAnEarlierVersionBuiltWithKafkaStreamsForeignKeyJoinsKeepsThem() {
        FactPlan items = plan("order_item_fact");
        FactPlan orders = plan("order_fact");
        Set<String> existing = Set.of(changelog(FactStateNames.versionStore(items)), changelog(FactStateNames.versionStore(orders)),
                FactStateNames.copyTopic(config(Map.of()), items, "products"),
                "app-" + FactStateNames.kafkaStreamsJoinName(items, 1) + "-subscription-registration-topic");
        JoinPaths paths = JoinPathChoice.choose(config(Map.of()), plans, existing, estimated(ROWS), table -> -1);
        assertThat(paths.kafkaStreamsJoins(items)).isTrue();
        assertThat(paths.kafkaStreamsJoins(orders)).as("its state has no such topic").isFalse();
        assertThat(FactStateNames.ownTopics(config(Map.of()), plans, paths, Set.of())).as("no subscription topic for Kafka Streams' joins; "
                + "the copies of the fact's joins inside each task all the same")
                .containsOnlyKeys("app-order_fact-c-subscriptions-changelog", "app-order_fact-c-parents-changelog",
                        "app-order_item_fact-products-copies-changelog");
        assertThat(JoinPathChoice.choose(config(Map.of()), plans, Set.of(), estimated(ROWS), table -> -1).kafkaStreamsJoins(items))
                .as("a fact without state").isFalse();
    }

    @Test
    void aSettingOtherThanTheStateIsRefusedWithTheWayOut() {
        FactPlan items = plan("order_item_fact");
        Set<String> existing = Set.of(changelog(FactStateNames.versionStore(items)));
        assertThatThrownBy(() -> JoinPathChoice.choose(config(Map.of("STREAMS_LOCAL_TABLES", "products")), plans, existing,
                estimated(ROWS), table -> -1))
                .isInstanceOf(StateFormat.OldStateException.class)
                .hasMessageContaining("for fact order_item_fact (state found: every join through Kafka; STREAMS_LOCAL_TABLES=products "
                        + "asks for joined inside each task: products (p); through Kafka: orders (o))")
                .hasMessageContaining("kafka-streams-application-reset.sh");
    }

    private static StreamsAppConfig config(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("STREAMS_APPLICATION_ID", "app");
        return StreamsAppConfig.from(new Env(env));
    }

    private static Map<String, RowSchema> estimated(Map<String, Long> rows) {
        Map<String, RowSchema> schemas = new HashMap<>();
        DemoTables.schemas().forEach((table, schema) -> schemas.put(table, schema.withEstimatedRows(rows.get(table))));
        return schemas;
    }

    private FactPlan plan(String name) {
        return plans.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private List<String> tables(JoinPaths paths, String fact) {
        FactPlan plan = plan(fact);
        return paths.local(plan).stream().map(j -> plan.joins().get(j).table()).toList();
    }

    private static String changelog(String store) {
        return "app-" + store + "-changelog";
    }
}
