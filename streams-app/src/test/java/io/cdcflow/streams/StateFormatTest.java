package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.config.Env;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.JoinPaths;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks of the state an earlier version left in Kafka that need no broker. */
class StateFormatTest {
    @Test
    void copiesInTheEarlierLayoutStopTheStartNamingTheirTopicsAndTheWayOut() {
        Set<String> existing = Set.of("app-orders-table-changelog", "app-order_fact-customers-copy-changelog",
                "app-order_fact-customers-copy-everywhere-repartition", "other-order_fact-customers-copy-everywhere-repartition");

        assertThatThrownBy(() -> StateFormat.checkLayout("app", existing, java.util.List.of(), JoinPaths.foreignKeysOnly()))
                .isInstanceOf(StateFormat.OldStateException.class)
                .hasMessageContaining("application app in Kafka (app-order_fact-customers-copy-everywhere-repartition)")
                .hasMessageContaining("--application-id app");
    }

    @Test
    void anIndexStoreOfTheJoinsInsideEachTaskStopsTheStartNamingItsTopicAndTheWayOut() {
        Set<String> existing = Set.of("app-orders-table-changelog", "app-order_fact-c-copies-changelog",
                "app-order_fact-local-c-index-changelog", "other-order_fact-local-c-index-changelog");

        assertThatThrownBy(() -> StateFormat.checkLayout("app", existing, java.util.List.of(), JoinPaths.foreignKeysOnly()))
                .isInstanceOf(StateFormat.OldStateException.class)
                .hasMessageContaining("application app in Kafka (app-order_fact-local-c-index-changelog) holds the index of the joins")
                .hasMessageContaining("--application-id app");
    }

    @Test
    void copyTopicsOfThisLayoutAndOtherApplicationsTopicsPass() {
        StreamsAppConfig config = StreamsAppConfig.from(new Env(Map.of("STREAMS_APPLICATION_ID", "app")));
        var plan = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.load(null)).stream().filter(p -> p.name().equals("order_fact")).findFirst().orElseThrow();
        String copies = FactStateNames.copyTopic(config, plan, "customers");

        assertThatCode(() -> StateFormat.checkLayout("app", Set.of(copies, "app-orders-table-changelog",
                "other-order_fact-customers-copy-everywhere-repartition", "other-order_fact-local-c-index-changelog"),
                java.util.List.of(plan), JoinPaths.foreignKeysOnly()))
                .doesNotThrowAnyException();
    }

    @Test
    void joinedRowsOfAJoinThroughKafkaInTheEarlierLayoutStopTheStartNamingTheirTopicAndTheWayOut() {
        var plans = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.load(null));
        Set<String> existing = Set.of("app-orders-table-changelog", "app-order_item_fact-o-joined-changelog",
                "other-order_item_fact-o-joined-changelog");

        assertThatThrownBy(() -> StateFormat.checkLayout("app", existing, plans, JoinPaths.toTables(plans, java.util.List.of("products", "customers"))))
                .isInstanceOf(StateFormat.OldStateException.class)
                .hasMessageContaining("application app in Kafka (app-order_item_fact-o-joined-changelog) holds the joined rows")
                .hasMessageContaining("--application-id app");
    }
}
