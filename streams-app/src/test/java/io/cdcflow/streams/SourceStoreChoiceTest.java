package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.Env;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.topology.JoinPaths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which source tables' stores their own topics restore: the topics' retention, the guarantee, the state. */
class SourceStoreChoiceTest {
    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");
    private final List<FactPlan> plans = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.load(null));

    @Test
    void tablesWhoseTopicsKeepTheNewestChangeOfEveryRowAreRestoredFromTheirTopics() {
        Set<String> all = Set.of("customers", "orders", "order_items", "products");
        assertThat(choose(Map.of(), Set.of(), topic -> COMPACT)).isEqualTo(all);
        assertThat(choose(Map.of(), Set.of(), topic -> Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                "retention.bytes", "-1"))).isEqualTo(all);
        assertThat(choose(Map.of(), Set.of(), topic -> topic.endsWith("orders") ? Map.of("cleanup.policy", "delete") : COMPACT))
                .isEqualTo(Set.of("customers", "order_items", "products"));
        assertThat(choose(Map.of(), Set.of(), topic -> Map.of("cleanup.policy", "delete", "retention.ms", "604800000",
                "retention.bytes", "-1"))).isEmpty();
        assertThat(choose(Map.of(), Set.of(), topic -> Map.of("cleanup.policy", "compact,delete"))).isEmpty();
        assertThat(choose(Map.of(), Set.of(), topic -> Map.of())).as("configuration unknown").isEmpty();
    }

    @Test
    void onlyUnderExactlyOnceAndWithATopicPerTable() {
        assertThat(choose(Map.of("STREAMS_PROCESSING_GUARANTEE", "at_least_once"), Set.of(), topic -> COMPACT)).isEmpty();
        assertThat(choose(Map.of("STREAMS_INPUT_TOPIC", "cdc_events"), Set.of(), topic -> COMPACT)).isEmpty();
    }

    @Test
    void aTableKeepsTheLayoutItsStateWasBuiltWith() {
        Set<String> others = Set.of("app-products-table-changelog", "app-orders-table-changelog", "app-order_item_fact-versions-changelog");
        // state from before: the items' changelog is there
        Set<String> before = new java.util.HashSet<>(others);
        before.add("app-order_items-table-changelog");
        assertThat(choose(Map.of(), before, topic -> COMPACT)).as("customers: no fact reading it has state yet").containsExactly("customers");
        // state restored from the topic: no changelog, a fact reading the table has state; kept even when the topic
        // no longer qualifies (a changelog would start empty and the rows be lost)
        assertThat(choose(Map.of(), others, topic -> Map.of("cleanup.policy", "delete"))).containsExactly("order_items");
    }

    @Test
    void theReasonNamesTheTopicAndItsSettings() {
        assertThat(SourceStoreChoice.keepsEverything("cdc.public.orders", Map.of("cleanup.policy", "delete", "retention.ms", "1000")))
                .contains("topic cdc.public.orders deletes changes").contains("retention.ms=1000");
    }

    @Test
    void stateRestoredFromTopicsUnderExactlyOnceStopsAStartUnderAtLeastOnce() {
        Set<String> built = Set.of("app-products-table-changelog", "app-orders-table-changelog", "app-order_item_fact-versions-changelog");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> choose(Map.of("STREAMS_PROCESSING_GUARANTEE", "at_least_once"),
                        built, topic -> COMPACT))
                .isInstanceOf(StateFormat.OldStateException.class)
                .hasMessageContaining("table order_items from topic cdc.public.order_items")
                .hasMessageContaining("--application-id app");
    }

    private Set<String> choose(Map<String, String> settings, Set<String> existing,
                               java.util.function.Function<String, Map<String, String>> topicConfigs) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("STREAMS_APPLICATION_ID", "app");
        StreamsAppConfig config = StreamsAppConfig.from(new Env(env));
        return SourceStoreChoice.choose(config, plans, JoinPaths.foreignKeysOnly(), existing, topicConfigs);
    }
}
