package io.cdcflow.streams.topology;

import io.cdcflow.streams.model.SourceRow;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ForeignKeyParent.class);
    private ForeignKeyParent() {
    }

    /**
     * A subscription ({@link ForeignKeySubscriptions}, key: parent key and fact key) answered with the parent row.
     *
     * <p>While the parent table's snapshot may still bring rows to this partition ({@link SnapshotPositions#read}), a
     * subscription to a row the store lacks is not answered: the row's arrival answers it ({@link OnChange}). Once the
     * partition is read past the snapshot, one scan of the subscribers answers "no such row" to those whose row still
     * is not there, and records in a small logged store that it ran for that snapshot (in the transaction of its
     * answers: a crash before it commits scans again). A subscription held clears that record, so a hold after a scan
     * (a task moved to an instance whose view is behind) is answered by a scan too.
     */
    static final class OnSubscription implements Processor<String, byte[], String, ForeignKeyResponse> {
        private static final java.time.Duration SCAN_CHECK = java.time.Duration.ofMillis(250);
        private final String parentStore;
        /** The paired layout: answers keyed by the pair, and a tombstone for an unsubscription. */
        private final boolean paired;
        private final String parentTable;
        private final String subscriptionStore;
        private final SnapshotPositions snapshots;
        private final String scanStore;
        private ProcessorContext<String, ForeignKeyResponse> context;
        private TimestampedKeyValueStore<String, SourceRow> parents;
        private TimestampedKeyValueStore<String, byte[]> subscriptions;
        private int partition;
        /** The scan at the end of the parent table's snapshots. */
        private SnapshotScan<ValueAndTimestamp<byte[]>> scan;

        OnSubscription(String parentStore, boolean paired, String parentTable, String subscriptionStore,
                       SnapshotPositions snapshots, String scanStore) {
            this.parentStore = parentStore;
            this.paired = paired;
            this.parentTable = parentTable;
            this.subscriptionStore = subscriptionStore;
            this.snapshots = snapshots;
            this.scanStore = scanStore;
        }

        @Override
        public void init(ProcessorContext<String, ForeignKeyResponse> context) {
            this.context = context;
            this.parents = context.getStateStore(parentStore);
            this.subscriptions = context.getStateStore(subscriptionStore);
            this.scan = new SnapshotScan<>(context.getStateStore(scanStore), parentTable);
            this.partition = context.taskId().partition();
            context.schedule(SCAN_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> scanOnceRead());
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
            SourceRow parent = ValueAndTimestamp.getValueOrNull(parents.get(foreignKey));
            if (parent == null && !read()) {
                scan.held();
                return; // the row may still come from the snapshot: its arrival answers, or the scan at the end
            }
            context.forward(new Record<>(paired ? record.key() : ForeignKeySubscriptions.child(record.key()),
                    new ForeignKeyResponse(foreignKey, parent), record.timestamp()));
        }

        /** Whether no row of the parent table can still come from a snapshot to this partition. */
        private boolean read() {
            // or a scan ran for this snapshot: another instance saw the partition read before this one's view did
            return snapshots.read(parentTable, partition) || scan.ranFor(snapshots.snapshot(parentTable));
        }

        /**
         * Once the partition is read past the snapshot, and once per snapshot: "no such row" to each subscriber still
         * without one. In chunks, one per punctuation.
         */
        private void scanOnceRead() {
            String[] last = new String[1];
            boolean[] missing = new boolean[1];
            boolean done = scan.step(snapshots.snapshot(parentTable), snapshots.read(parentTable, partition), subscriptions,
                    (key, subscribed) -> {
                        if (subscribed == null || subscribed.value() == null) {
                            return false;
                        }
                        String foreignKey = ForeignKeySubscriptions.foreignKey(key);
                        if (!foreignKey.equals(last[0])) { // the subscriptions are sorted by parent key: one read per parent
                            last[0] = foreignKey;
                            missing[0] = parents.get(foreignKey) == null;
                        }
                        if (missing[0]) {
                            context.forward(new Record<>(paired ? key : ForeignKeySubscriptions.child(key),
                                    new ForeignKeyResponse(foreignKey, null), subscribed.timestamp()));
                        }
                        return missing[0];
                    });
            if (done) {
                LOG.info("the snapshot of {} is read in partition {}: {} subscription(s) scanned, {} answered with no such row",
                        parentTable, partition, scan.visited(), scan.sent());
            }
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
