package io.cdcflow.streams.topology;

import io.cdcflow.streams.model.SourceRow;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The parent table's side of a foreign-key join through a subscription topic, in the task of the parent row's
 * partition: it answers each subscription with the parent row as it is then ({@link OnSubscription}), and each change
 * of a parent row's joined columns with a response to every fact row subscribed to it ({@link OnChange}; a change of
 * columns only the parent table's own facts read is marked by {@link ChangedRows} and answered to no one). Both read the other's store
 * in the same task, one record at a time, so whichever of a subscription and a parent change comes first, the last
 * response to a subscriber carries the newest parent row.
 *
 * <p>In the paired layout ({@link PairedChild}) the answers keep the subscription's key (parent key and fact key), for
 * the compacted topic they go to, and an unsubscription is answered with that key's tombstone: after every response
 * sent for the pair, as they are sent from this one task in order.
 */
final class ForeignKeyParent {
    private ForeignKeyParent() {
    }

    /** A subscription ({@link ForeignKeySubscriptions}, key: parent key and fact key) answered with the parent row. */
    static final class OnSubscription implements Processor<String, byte[], String, ForeignKeyResponse> {
        private final String parentStore;
        /** The paired layout: answers keyed by the pair, and a tombstone for an unsubscription. */
        private final boolean paired;
        private ProcessorContext<String, ForeignKeyResponse> context;
        private TimestampedKeyValueStore<String, SourceRow> parents;

        OnSubscription(String parentStore, boolean paired) {
            this.parentStore = parentStore;
            this.paired = paired;
        }

        @Override
        public void init(ProcessorContext<String, ForeignKeyResponse> context) {
            this.context = context;
            this.parents = context.getStateStore(parentStore);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.value() == null) {
                if (paired) {
                    context.forward(new Record<>(record.key(), null, record.timestamp())); // the pair's subscription ended
                }
                return;
            }
            String foreignKey = ForeignKeySubscriptions.foreignKey(record.key());
            context.forward(new Record<>(paired ? record.key() : ForeignKeySubscriptions.child(record.key()),
                    new ForeignKeyResponse(foreignKey, ValueAndTimestamp.getValueOrNull(parents.get(foreignKey))), record.timestamp()));
        }
    }

    /** A parent row's change, sent to every fact row subscribed to it. */
    static final class OnChange implements Processor<String, SourceRow, String, ForeignKeyResponse> {
        private static final StringSerializer PREFIX = new StringSerializer();
        private final String subscriptionStore;
        /** The paired layout: answers keyed by the pair. */
        private final boolean paired;
        private ProcessorContext<String, ForeignKeyResponse> context;
        private TimestampedKeyValueStore<String, byte[]> subscriptions;

        OnChange(String subscriptionStore, boolean paired) {
            this.subscriptionStore = subscriptionStore;
            this.paired = paired;
        }

        @Override
        public void init(ProcessorContext<String, ForeignKeyResponse> context) {
            this.context = context;
            this.subscriptions = context.getStateStore(subscriptionStore);
        }

        @Override
        public void process(Record<String, SourceRow> record) {
            if (ChangedRows.joinsUnchanged(record.headers())) {
                return; // nothing the join reads changed: the subscribers' rows stay as they are
            }
            String foreignKey = record.key();
            ForeignKeyResponse response = new ForeignKeyResponse(foreignKey, record.value());
            try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> subscribers =
                         subscriptions.prefixScan(ForeignKeySubscriptions.prefix(foreignKey), PREFIX)) {
                while (subscribers.hasNext()) {
                    KeyValue<String, ValueAndTimestamp<byte[]>> subscriber = subscribers.next();
                    context.forward(new Record<>(paired ? subscriber.key : ForeignKeySubscriptions.child(subscriber.key), response,
                            record.timestamp()));
                }
            }
        }
    }
}
