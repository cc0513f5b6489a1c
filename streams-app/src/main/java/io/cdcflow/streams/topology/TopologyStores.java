package io.cdcflow.streams.topology;

import static io.cdcflow.streams.topology.FactStateNames.store;

import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The stores of a fact topology, shared by its source tables ({@link SourceTables}) and its joins
 * ({@link FactTopology}): of the kind {@code STREAMS_STATE_STORES} names, holding the index of the joins inside each
 * task where they are the store a fact's local joins read their foreign keys from ({@link JoinIndexStore}); the
 * stores a topic restores with no changelog of their own ({@link TopicRestoredStore}); and which processor reads
 * which store added after it, connected once the topology is built.
 */
final class TopologyStores {
    private final StreamsAppConfig config;
    private final Serde<String> strings = Serdes.String();
    /** The stores of rows joined so far that also hold the index of joins inside each task, with the facts indexed. */
    private final Map<String, List<JoinIndexStore.Indexed>> indexed = new LinkedHashMap<>();
    /** The processors that read stores added after them, and those stores. */
    private final Map<String, List<String>> feeding = new LinkedHashMap<>();

    TopologyStores(StreamsAppConfig config, List<FactPlan> plans, JoinPaths paths) {
        this.config = config;
        for (FactPlan plan : plans) {
            if (!paths.local(plan).isEmpty()) {
                indexed.computeIfAbsent(store(plan, paths), s -> new ArrayList<>()).add(new JoinIndexStore.Indexed(plan, paths.local(plan)));
            }
        }
    }

    /** {@code processor} reads {@code store}, which is added after it. */
    void feed(String processor, String store) {
        feeding.computeIfAbsent(processor, p -> new ArrayList<>()).add(store);
    }

    /** Connects the processors to the stores they read ({@link #feed}), once {@code topology} is built. */
    Topology connected(Topology topology) {
        feeding.forEach((processor, stores) -> topology.connectProcessorAndStateStores(processor, stores.toArray(String[]::new)));
        return topology;
    }

    /**
     * A store of the kind {@code STREAMS_STATE_STORES} names; the stores Kafka Streams makes for itself (a
     * foreign-key join's subscriptions) follow {@link io.cdcflow.streams.StreamsApp#properties}' {@code dsl.store.suppliers.class}.
     */
    KeyValueBytesStoreSupplier supplier(String name) {
        return supplier(name, false);
    }

    /** @param timestamped a KTable's store: RocksDB's format with timestamps, which Kafka Streams reads unconverted */
    KeyValueBytesStoreSupplier supplier(String name, boolean timestamped) {
        KeyValueBytesStoreSupplier base = indexing(name, base(name, timestamped));
        return config.stores() == StreamsAppConfig.Stores.MEMORY ? base : RocksStores.of(base);
    }

    /**
     * {@code supplier}, holding the index of the joins inside each task beside the rows where {@code name} is the store of
     * a fact's rows joined so far ({@link JoinIndexStore}; such stores are KTables', with timestamps).
     */
    KeyValueBytesStoreSupplier indexing(String name, KeyValueBytesStoreSupplier supplier) {
        List<JoinIndexStore.Indexed> facts = indexed.get(name);
        return facts == null ? supplier : JoinIndexStore.of(supplier, facts);
    }

    /** The stores {@code STREAMS_STATE_STORES} names, as Kafka Streams makes them. */
    KeyValueBytesStoreSupplier base(String name, boolean timestamped) {
        if (config.stores() == StreamsAppConfig.Stores.MEMORY) {
            return Stores.inMemoryKeyValueStore(name);
        }
        return timestamped ? Stores.persistentTimestampedKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }

    /** A KTable's store, logged. */
    <V> Materialized<String, V, KeyValueStore<Bytes, byte[]>> materialized(String store, Serde<V> values) {
        return Materialized.<String, V>as(supplier(store, true)).withKeySerde(strings).withValueSerde(values);
    }

    /**
     * A topic the app owns ({@link FactStateNames#ownTopics}) read into {@code store}, which it restores with no changelog of its own
     * ({@link TopicRestoredStore}), from its beginning when the application has no offset yet.
     */
    <V> KStream<String, V> ownTopicStore(TopicRestoredStore.Builder builder, String topic, Serde<V> values, String name, String store) {
        return topicStore(builder, topic, AutoOffsetReset.earliest(), supplier(store, true), strings, values, name, name + "-store");
    }

    /**
     * {@code topic} read into the store {@code supplier} makes, which the topic restores ({@link TopicRestoredStore}),
     * by the processor {@code writer}; each record goes on once the store holds it.
     */
    <V> KStream<String, V> topicStore(TopicRestoredStore.Builder builder, String topic, AutoOffsetReset reset,
                                      KeyValueBytesStoreSupplier supplier, Serde<String> keys, Serde<V> values,
                                      String source, String writer) {
        String store = supplier.name();
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(supplier, keys, values).withLoggingDisabled().withCachingDisabled());
        builder.restoreFrom(store, topic);
        return builder.stream(topic, Consumed.with(keys, values).withName(source).withOffsetResetPolicy(reset))
                .processValues(() -> new TopicRestoredStore.Writer<V>(store), Named.as(writer), store);
    }
}
