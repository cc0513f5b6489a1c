package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.json.JsonNodeSerde;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.config.StreamsAppConfig.Columns;
import io.cdcflow.streams.config.StreamsAppConfig.Tables;
import io.cdcflow.streams.model.Facts;
import io.cdcflow.streams.model.RowState;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology: change events of customers, products, orders and order items become KTables of current rows;
 * orders join their customer, items their product and then their order (foreign-key left joins); every change of a
 * fact or dimension goes out with a version that only grows per key. Every processor, join and store is named, so
 * internal topic names survive changes to the code. A pure function of the configuration.
 */
public final class OrderFactTopology {
    public static final String ORDER_FACT_STORE = "order-fact-joined";

    private final StreamsAppConfig config;
    private final Metrics metrics;
    private final OutputSchemas schemas;
    private final Serde<JsonNode> json = new JsonNodeSerde();
    private final Serde<String> strings = Serdes.String();

    private OrderFactTopology(StreamsAppConfig config, Metrics metrics, OutputSchemas schemas) {
        this.config = config;
        this.metrics = metrics;
        this.schemas = schemas;
    }

    /** The topology without schema headers on its outputs (documentation, tools). */
    public static Topology build(StreamsAppConfig config, Metrics metrics) {
        return build(config, metrics, OutputSchemas.NONE);
    }

    public static Topology build(StreamsAppConfig config, Metrics metrics, OutputSchemas schemas) {
        return new OrderFactTopology(config, metrics, schemas).build();
    }

    private Topology build() {
        StreamsBuilder builder = new StreamsBuilder();
        Tables t = config.tables();
        Columns c = config.columns();
        Facts facts = new Facts(c);
        Map<String, KStream<String, JsonNode>> events = sourceEvents(builder);

        KTable<String, JsonNode> customers = table(events.get(t.customers()), "customers");
        KTable<String, JsonNode> products = table(events.get(t.products()), "products");
        KTable<String, JsonNode> orders = table(events.get(t.orders()), "orders");
        KTable<String, JsonNode> items = table(events.get(t.orderItems()), "order-items");

        emit(builder, customers.toStream(Named.as("customer-dim-changes")).mapValues(Facts::dimension, Named.as("customer-dim-row")),
                "customer-dim", config.outputs().customerDim(), row -> row.get(c.customerId()), c.customerId());
        emit(builder, products.toStream(Named.as("product-dim-changes")).mapValues(Facts::dimension, Named.as("product-dim-row")),
                "product-dim", config.outputs().productDim(), row -> row.get(c.productId()), c.productId());

        KTable<String, JsonNode> orderFacts = orders.leftJoin(customers,
                order -> foreignKey(order, c.orderCustomerId(), c.customerId()),
                (order, customer) -> facts.orderFact(order, customer),
                TableJoined.as("order-customer-join"),
                materialized(ORDER_FACT_STORE));
        emit(builder, orderFacts.toStream(Named.as("order-fact-changes")), "order-fact", config.outputs().orderFact(),
                row -> row.get("order_id"), "order_id");

        KTable<String, JsonNode> itemsWithProduct = items.leftJoin(products,
                item -> foreignKey(item, c.itemProductId(), c.productId()),
                (item, product) -> facts.itemWithProduct(item, product),
                TableJoined.as("item-product-join"),
                materialized("item-product-joined"));
        KTable<String, JsonNode> itemFacts = itemsWithProduct.leftJoin(orders,
                item -> foreignKey(item, "order_id", c.orderId()),
                (item, order) -> facts.orderItemFact(item, order),
                TableJoined.as("item-order-join"),
                materialized("order-item-fact-joined"));
        emit(builder, itemFacts.toStream(Named.as("order-item-fact-changes")), "order-item-fact", config.outputs().orderItemFact(),
                row -> row.get("order_item_id"), "order_item_id");
        return builder.build();
    }

    /** Parsed events per table; records that cannot be processed go to the dead-letter topic. */
    private Map<String, KStream<String, JsonNode>> sourceEvents(StreamsBuilder builder) {
        Tables t = config.tables();
        List<String> tables = List.of(t.customers(), t.products(), t.orders(), t.orderItems());
        Metrics.Counter deadLetters = metrics.counter("streams_dead_letter_total",
                "Input records sent to the dead-letter topic", "topic", "reason");
        Map<String, KStream<String, JsonNode>> byTable = new LinkedHashMap<>();
        if (config.singleInputTopic() != null) {
            Set<String> all = new LinkedHashSet<>(tables);
            BranchedKStream<String, ParsedEvent> split = parsed(builder, config.singleInputTopic(), "all", all, deadLetters)
                    .split(Named.as("split-by-table-"));
            for (String table : tables) {
                split = split.branch((k, e) -> table.equals(e.table()),
                        Branched.withConsumer(s -> byTable.put(table, s.mapValues(ParsedEvent::value, Named.as("event-" + safe(table))))));
            }
            split.noDefaultBranch();
        } else {
            for (String table : tables) {
                byTable.put(table, parsed(builder, config.inputTopic(table), safe(table), Set.of(table), deadLetters)
                        .mapValues(ParsedEvent::value, Named.as("event-" + safe(table))));
            }
        }
        return byTable;
    }

    private KStream<String, ParsedEvent> parsed(StreamsBuilder builder, String topic, String name, Set<String> tables,
                                                Metrics.Counter deadLetters) {
        KStream<String, ParsedEvent> parsed = builder
                .stream(topic, Consumed.with(strings, Serdes.ByteArray()).withName("source-" + name))
                .processValues(() -> new ParseEvents(tables, deadLetters, schemas), Named.as("parse-" + name));
        parsed.filter((k, e) -> e.failed(), Named.as("failed-" + name))
                .mapValues(ParsedEvent::raw, Named.as("raw-" + name))
                .to(config.deadLetterTopic(), Produced.with(strings, Serdes.ByteArray()).withName("dead-letter-" + name));
        return parsed.filter((k, e) -> !e.failed(), Named.as("parsed-" + name));
    }

    /** The current rows of a source table: duplicates and stale re-deliveries ignored, deletes kept as marked rows. */
    private KTable<String, JsonNode> table(KStream<String, JsonNode> events, String name) {
        return events
                .groupByKey(Grouped.with("group-" + name, strings, json))
                .aggregate(RowState::none,
                        (key, event, current) -> RowState.apply((ObjectNode) current, ChangeEventCodec.fromValue(Json.object(), event)),
                        Named.as("apply-" + name),
                        materialized(name + "-table"));
    }

    private void emit(StreamsBuilder builder, KStream<String, JsonNode> changes, String name, String topic,
                      Function<JsonNode, JsonNode> id, String idColumn) {
        String store = name + "-versions";
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), strings, Serdes.Long()));
        changes.processValues(() -> new VersionStamper(store, topic, schemas), Named.as("version-" + name), store)
                .selectKey((k, row) -> Json.object().set(idColumn, id.apply(row)).toString(), Named.as("key-" + name))
                .to(topic, Produced.with(strings, json).withName("sink-" + name));
    }

    /** The dimension's key for a row's foreign-key column, in the form the wal-producer keys records: {"id":123}. */
    static String foreignKey(JsonNode row, String column, String dimensionKeyColumn) {
        JsonNode value = row == null ? null : row.get(column);
        if (value == null || value.isNull()) {
            return null;
        }
        return Json.object().set(dimensionKeyColumn, value).toString();
    }

    private Materialized<String, JsonNode, KeyValueStore<Bytes, byte[]>> materialized(String store) {
        return Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as(store).withKeySerde(strings).withValueSerde(json);
    }

    private static String safe(String table) {
        return table.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
