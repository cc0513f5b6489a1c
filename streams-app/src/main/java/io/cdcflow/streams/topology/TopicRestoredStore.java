package io.cdcflow.streams.topology;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * A store that holds what a topic brings for each key (a topic the app owns: subscriptions, pairs, copies; or a source
 * table's events, which {@link SourceTopicStore} applies) and that the topic restores, with no changelog of its own:
 * what a KTable read from the topic with {@code reuse.ktable.source.topics} gives, without the KTable's source reading
 * each key's old value before it writes the new one (a store read, and a row decoded, per record, that nothing here
 * used; {@link SourceTopicStore} reads the row it applies an event to itself). {@link Writer} writes each record
 * before passing it on; {@link Builder} registers the topic as the store's changelog, as Kafka Streams does for such
 * a KTable's store, so a restore folds the topic up to the offset the task committed into the same rows processing
 * wrote.
 */
final class TopicRestoredStore {
    private TopicRestoredStore() {
    }

    /** The DSL's builder, which also makes the topics given to {@link #restoreFrom} restore their stores. */
    static final class Builder extends StreamsBuilder {
        private final Map<String, String> topics = new LinkedHashMap<>();

        /** {@code store} (added with its logging disabled) is restored from {@code topic}, which feeds its writer. */
        void restoreFrom(String store, String topic) {
            topics.put(store, topic);
        }

        /** The topology, with each store restored from its topic. */
        Topology buildRestoring() {
            Topology topology = build();
            topics.forEach(internalTopologyBuilder::connectSourceStoreAndTopic);
            return topology;
        }
    }

    /** Writes each record to the store (a tombstone deletes its key), then passes it on; a record with no key is dropped. */
    static final class Writer<V> implements FixedKeyProcessor<String, V, V> {
        private final String store;
        private TimestampedKeyValueStore<String, V> rows;
        private FixedKeyProcessorContext<String, V> context;

        Writer(String store) {
            this.store = store;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, V> context) {
            this.context = context;
            this.rows = context.getStateStore(store);
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            if (record.key() == null) {
                return; // the app writes every record of its topics with a key; a KTable's source drops such records too
            }
            rows.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
            context.forward(record);
        }
    }
}
