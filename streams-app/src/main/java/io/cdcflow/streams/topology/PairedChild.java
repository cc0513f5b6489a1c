package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The fact's side of a foreign-key join through Kafka in the paired layout ({@link RowsSoFar#paired}): no store of
 * joined rows, hence no changelog of them. The parent side's answers go to a compacted topic the app owns, keyed by
 * (parent key, fact key) and partitioned as the fact's root topic, which the fact key's task reads as a KTable: its
 * store ({@code <fact>-<alias>-parents}) holds, per pair, the newest parent row sent, and is restored from that topic.
 * The parent side answers an unsubscription with the pair's tombstone, after every response it sent for the pair, so
 * a pair in the store means its subscription is active or its tombstone is on its way.
 *
 * <p>A change of the rows joined so far that points at a parent row whose pair is stored is joined at once with it,
 * with no record through Kafka; one that points at another subscribes and waits (pending); one that points nowhere is
 * emitted with no parent row (a deleted row ends the subscription of where it pointed at once; a row whose foreign key
 * moved leaves its old subscription to be ended lazily, when that parent row next answers). A response
 * (already in the store when it comes here) is joined while the rows joined so far point at its parent row, and
 * otherwise ends that subscription; a tombstone while they point at its parent row (they moved away, the
 * unsubscription went out, they moved back before the tombstone came) subscribes again. While the rows joined so far
 * are themselves pending (an earlier join's response on its way), a response does nothing: that join's response emits
 * them, and finds the pair stored.
 *
 * <p>Input: the rows joined so far by fact key ({@link Input#left}), and the pairs' records by pair key
 * ({@link Input#pair}). Output, by fact key: the joined rows and the subscriptions to start or end
 * ({@link ForeignKeyChild.Output}).
 */
final class PairedChild implements Processor<String, PairedChild.Input, String, ForeignKeyChild.Output> {
    /** A change of the rows joined so far (null: none), or a pair's record (null: its tombstone). */
    record Input(JoinedRows left, ForeignKeyResponse response, boolean pair) {
        static Input left(JoinedRows rows) {
            return new Input(rows, null, false);
        }

        static Input pair(ForeignKeyResponse response) {
            return new Input(null, response, true);
        }
    }

    private final FactPlan plan;
    private final JoinPaths paths;
    private final int index;
    private final FactPlan.Join join;
    private final int position;
    private final String pairStore;
    private final RowsSoFar.Reader rowsSoFar;
    private ProcessorContext<String, ForeignKeyChild.Output> context;
    /** The stores the rows joined so far are read from (the root table's, the earlier joins' pairs), by name. */
    private final Map<String, TimestampedKeyValueStore<String, Object>> stores = new HashMap<>();

    PairedChild(FactPlan plan, JoinPaths paths, int index) {
        this.plan = plan;
        this.paths = paths;
        this.index = index;
        this.join = plan.joins().get(index);
        this.position = index + 1;
        this.pairStore = FactStateNames.pairStore(plan, index);
        this.rowsSoFar = new RowsSoFar.Reader(plan, paths);
    }

    @Override
    public void init(ProcessorContext<String, ForeignKeyChild.Output> context) {
        this.context = context;
        for (String store : RowsSoFar.stores(plan, paths, index + 1)) { // the rows so far, and this join's pairs
            stores.put(store, context.getStateStore(store));
        }
    }

    @Override
    public void process(Record<String, Input> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value().pair()) {
            onPair(record, record.value().response());
        } else {
            onLeft(record, record.value().left());
        }
    }

    private void onLeft(Record<String, Input> record, JoinedRows rows) {
        String foreignKey = rows == null ? null : FactTopology.pointsAt(rows.row(0), join);
        if (foreignKey == null) {
            String former = rows == null ? null : formerForeignKey(rows.row(0));
            if (former != null) {
                forward(record.key(), record, ForeignKeyChild.Output.unsubscribe(former)); // a delete ends it at once
            }
            forward(record.key(), record, ForeignKeyChild.Output.joined(rows == null ? null : rows.with(position, null)));
            return;
        }
        Object pair = stored(pairStore, ForeignKeySubscriptions.key(foreignKey, record.key()));
        forward(record.key(), record, pair != null ? ForeignKeyChild.Output.joined(rows.with(position, ((ForeignKeyResponse) pair).parent()))
                : ForeignKeyChild.Output.subscribe(foreignKey));
    }

    private void onPair(Record<String, Input> record, ForeignKeyResponse response) {
        String key = ForeignKeySubscriptions.child(record.key());
        String foreignKey = ForeignKeySubscriptions.foreignKey(record.key());
        JoinedRows rows = rowsSoFar.read(key, index, this::stored);
        if (rows == RowsSoFar.PENDING) {
            return; // an earlier join's response emits the rows, and finds this pair stored
        }
        boolean pointing = rows != null && foreignKey.equals(FactTopology.pointsAt(rows.row(0), join));
        if (response != null) {
            forward(key, record, pointing ? ForeignKeyChild.Output.joined(rows.with(position, response.parent()))
                    : ForeignKeyChild.Output.unsubscribe(foreignKey)); // the fact row moved on: a subscription left behind
        } else if (pointing) {
            forward(key, record, ForeignKeyChild.Output.subscribe(foreignKey)); // ended while the row came back to it
        }
    }

    /** Where a deleted root row pointed: it keeps the columns it had (a delete marks the row). Null otherwise. */
    private String formerForeignKey(io.cdcflow.streams.model.SourceRow root) {
        if (root == null || !root.deleted()) {
            return null;
        }
        return FactTopology.pointsAt(new io.cdcflow.streams.model.SourceRow(root.lsn(), root.seq(), false, root.columns()), join);
    }

    private Object stored(String store, String key) {
        return ValueAndTimestamp.getValueOrNull(stores.get(store).get(key));
    }

    private void forward(String key, Record<String, Input> record, ForeignKeyChild.Output output) {
        context.forward(new Record<>(key, output, record.timestamp(), record.headers()));
    }
}
