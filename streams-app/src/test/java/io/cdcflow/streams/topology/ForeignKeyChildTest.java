package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.json.Json;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fact's side of a join through a subscription topic alone, with responses in any order relative to the fact
 * row's changes, as they arrive from other partitions: order_fact's join to its customer, the order's rows fed
 * directly and the customers' responses written by hand.
 */
class ForeignKeyChildTest {
    private final FactPlan plan;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, JoinedRows> left;
    private final TestInputTopic<String, ForeignKeyResponse> responses;
    private final TestOutputTopic<String, byte[]> subscriptions;
    private long lsn = 0x100;

    ForeignKeyChildTest() {
        try (TopologyFixture f = new TopologyFixture()) {
            plan = f.plans.stream().filter(p -> p.name().equals("order_fact")).findFirst().orElseThrow();
        }
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ForeignKeyChild.Input> lefts = builder.table("left", Consumed.with(Serdes.String(), StateCodec.joinedRows()),
                Materialized.<String, JoinedRows>as(Stores.inMemoryKeyValueStore("left-store"))).toStream()
                .mapValues(ForeignKeyChild.Input::left);
        KStream<String, ForeignKeyChild.Output> out = builder.stream("responses", Consumed.with(Serdes.String(), StateCodec.responses()))
                .mapValues(ForeignKeyChild.Input::response).merge(lefts)
                .processValues(() -> new ForeignKeyChild(plan, 0, "left-store", "joined-store"), org.apache.kafka.streams.kstream.Named.as("join"));
        out.filter((k, o) -> !o.isJoined()).map((k, o) -> KeyValue.pair(ForeignKeySubscriptions.key(o.foreignKey(), k),
                o.subscribe() ? ForeignKeySubscriptions.SUBSCRIBED : null)).to("subscriptions", Produced.with(Serdes.String(), Serdes.ByteArray()));
        out.filter((k, o) -> o.isJoined()).mapValues(ForeignKeyChild.Output::joined)
                .toTable(Materialized.<String, JoinedRows>as(Stores.inMemoryKeyValueStore("joined-store"))
                        .withKeySerde(Serdes.String()).withValueSerde(StateCodec.joinedRows()));
        Topology topology = builder.build();
        topology.connectProcessorAndStateStores("join", "left-store", "joined-store");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "child-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        left = driver.createInputTopic("left", Serdes.String().serializer(), StateCodec.joinedRows().serializer());
        responses = driver.createInputTopic("responses", Serdes.String().serializer(), StateCodec.responses().serializer());
        subscriptions = driver.createOutputTopic("subscriptions", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void aResponseToAForeignKeyTheRowHasLeftEndsThatSubscriptionAndTheNewOnesResponseJoins() {
        order(10, 1, "new");
        order(10, 2, "new"); // before customer 1 answered
        assertThat(subscriptions()).containsExactly("+{\"id\":1}", "+{\"id\":2}");
        respond(10, 1, "Ada");
        assertThat(subscriptions()).containsExactly("-{\"id\":1}");
        assertThat(joined(10)).isNull();
        respond(10, 2, "Bob");
        assertThat(joined(10).row(1).columns().get("name").asText()).isEqualTo("Bob");
        assertThat(joined(10).root().columns().get("customer_id").asInt()).isEqualTo(2);
    }

    @Test
    void aRowBackAtTheForeignKeyOfItsLastResultIsJoinedAtOnceAndTheAnswerFromTheOtherIsDropped() {
        order(10, 1, "new");
        respond(10, 1, "Ada");
        order(10, 2, "new");
        order(10, 1, "paid"); // back before customer 2 answered
        assertThat(joined(10).root().columns().get("status").asText()).isEqualTo("paid");
        assertThat(joined(10).row(1).columns().get("name").asText()).isEqualTo("Ada");
        subscriptions();
        respond(10, 2, "Bob");
        assertThat(subscriptions()).containsExactly("-{\"id\":2}");
        assertThat(joined(10).row(1).columns().get("name").asText()).isEqualTo("Ada");
    }

    @Test
    void aDeletedRowIsJoinedAtOnceWithNoParentAndEndsItsSubscription() {
        order(10, 1, "new");
        respond(10, 1, "Ada");
        subscriptions();
        left.pipeInput("{\"id\":10}", JoinedRows.root(new SourceRow(lsn += 0x100, 0, true, Json.object().put("id", 10)), 1));
        assertThat(subscriptions()).containsExactly("-{\"id\":1}");
        assertThat(joined(10).root().deleted()).isTrue();
        assertThat(joined(10).row(1)).isNull();
        respond(10, 1, "Ada L"); // an answer already on its way
        assertThat(joined(10).row(1)).isNull();
    }

    private void order(int id, int customer, String status) {
        left.pipeInput("{\"id\":" + id + "}", JoinedRows.root(new SourceRow(lsn += 0x100, 0, false,
                Json.object().put("id", id).put("customer_id", customer).put("status", status)), 1));
    }

    private void respond(int order, int customer, String name) {
        responses.pipeInput("{\"id\":" + order + "}", new ForeignKeyResponse("{\"id\":" + customer + "}",
                new SourceRow(lsn += 0x100, 0, false, Json.object().put("id", customer).put("name", name))));
    }

    private JoinedRows joined(int order) {
        org.apache.kafka.streams.state.ValueAndTimestamp<JoinedRows> stored = driver.<String, JoinedRows>getTimestampedKeyValueStore("joined-store")
                .get("{\"id\":" + order + "}");
        return stored == null ? null : stored.value();
    }

    /** The subscriptions written since the last call: "+parent key" started, "-parent key" ended. */
    private List<String> subscriptions() {
        return subscriptions.readRecordsToList().stream()
                .map(r -> (r.value() == null ? "-" : "+") + ForeignKeySubscriptions.foreignKey(r.key())).toList();
    }
}
