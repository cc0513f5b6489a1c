package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.DELETE;
import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The joins through Kafka of the default facts (every join through Kafka: no local tables in the driver), by the
 * records they write: subscriptions only when a foreign key points at another parent row, no store changelog beside
 * the subscription topic, subscriptions ended by a delete or cleaned once their former parent row answers.
 */
class SubscriptionJoinTopologyTest {
    /** Named after the configured application id (the driver's is another): the app creates it. */
    private static final String SUBSCRIPTIONS = "cdcflow-streams-order_fact-c-subscriptions-changelog";
    private static final String RESPONSES = "topology-test-order_fact-c-responses-repartition";
    private final TopologyFixture f = new TopologyFixture();
    private final TestOutputTopic<String, byte[]> subscriptions = output(SUBSCRIPTIONS);
    private final TestOutputTopic<String, byte[]> responses = output(RESPONSES);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void anUpdateThatKeepsItsForeignKeyIsJoinedWithoutATripThroughKafka() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        assertThat(subscriptions.readRecordsToList()).extracting(TestRecord::key).containsExactly(key(1, 10));
        assertThat(responses.readRecordsToList()).hasSize(1);

        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 7, "status", "paid"));
        assertThat(subscriptions.readRecordsToList()).isEmpty();
        assertThat(responses.readRecordsToList()).isEmpty();
        assertThat(orderFact(10).get("status").asText()).isEqualTo("paid");
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
    }

    @Test
    void theSubscriptionTopicIsTheOnlyRecordOfTheSubscriptions() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        assertThat(f.driver.producedTopicNames()).contains(SUBSCRIPTIONS, RESPONSES)
                .noneMatch(topic -> topic.endsWith("-subscribers-changelog"))
                .noneMatch(topic -> topic.endsWith("-repartition") && !topic.equals(RESPONSES))
                .noneMatch(topic -> topic.contains("subscription-registration") || topic.contains("subscription-store"));
    }

    @Test
    void aMoveBackToAFormerParentRowSubscribesAgainAndTheOneLeftBehindIsCleanedWhenItAnswers() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("customers", INSERT, row("id", 2, "name", "Bob", "email", "b@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        f.change("orders", UPDATE, row("id", 10, "customer_id", 2, "total", 5, "status", "new"));
        f.change("orders", UPDATE, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        assertThat(subscriptions.readRecordsToList()).extracting(TestRecord::key, r -> r.value() != null)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(key(1, 10), true), org.assertj.core.groups.Tuple.tuple(key(2, 10), true),
                        org.assertj.core.groups.Tuple.tuple(key(1, 10), true));
        f.change("customers", UPDATE, row("id", 1, "name", "Ada L", "email", "a@x"));
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada L");

        int facts = f.emitted("order_fact").size();
        f.change("customers", UPDATE, row("id", 2, "name", "Bob L", "email", "b@x"));
        assertThat(f.emitted("order_fact")).as("a former parent's change").hasSize(facts);
        List<TestRecord<String, byte[]>> cleaned = subscriptions.readRecordsToList();
        assertThat(cleaned).extracting(TestRecord::key).containsExactly(key(2, 10));
        assertThat(cleaned.get(0).value()).isNull();
        responses.readRecordsToList();
        f.change("customers", UPDATE, row("id", 2, "name", "Bob M", "email", "b@x"));
        assertThat(responses.readRecordsToList()).as("nothing subscribed to customer 2 any more").isEmpty();
    }

    @Test
    void aDeletedFactRowEndsItsSubscriptionAtOnce() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        subscriptions.readRecordsToList();
        f.change("orders", DELETE, row("id", 10));
        List<TestRecord<String, byte[]>> ended = subscriptions.readRecordsToList();
        assertThat(ended).extracting(TestRecord::key).containsExactly(key(1, 10));
        assertThat(ended.get(0).value()).isNull();
        assertThat(f.latest("order_fact").get("{\"order_id\":10}").get("_deleted").asInt()).isOne();
    }

    @Test
    void aParentRowInsertedAfterItsFactRowsReachesThem() {
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new"));
        assertThat(orderFact(10).get("customer_name").isNull()).isTrue();
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        assertThat(orderFact(10).get("customer_name").asText()).isEqualTo("Ada");
        f.change("customers", DELETE, row("id", 1));
        assertThat(orderFact(10).get("customer_name").isNull()).isTrue();
    }

    private com.fasterxml.jackson.databind.JsonNode orderFact(int id) {
        return f.latest("order_fact").get("{\"order_id\":" + id + "}");
    }

    private static String key(int customer, int order) {
        return ForeignKeySubscriptions.key("{\"id\":" + customer + "}", "{\"id\":" + order + "}");
    }

    private TestOutputTopic<String, byte[]> output(String topic) {
        return f.driver.createOutputTopic(topic, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }
}
