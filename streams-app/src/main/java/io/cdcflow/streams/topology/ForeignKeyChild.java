package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The fact's side of a foreign-key join through a subscription topic ({@link ForeignKeySubscriptions}), in the task of
 * the fact's key. A change of the rows joined so far whose foreign key still points at the parent row of its last
 * result is joined here at once with that result's parent row: no record goes through Kafka for it. One that points
 * at another parent row subscribes to it and waits for the response, which carries the parent row; one that points
 * nowhere is emitted at once with no parent row and ends its subscription. The parent side answers each subscription,
 * and each later change of the parent row, with the row as it is then ({@link ForeignKeyParent}).
 *
 * <p>A response is taken only while the rows joined so far, read from their store at that moment, point at the
 * parent row it names: it is joined with them as they are then. A response to a fact row that has moved on (to
 * another parent row, or nowhere) ends that subscription instead: subscriptions left behind by a move are cleaned
 * lazily, when their former parent row next answers, so a move writes one record, not two.
 *
 * <p>Input: the rows joined so far ({@link Input#left}) and the parent side's responses ({@link Input#response}), by
 * fact key. Output: the joined rows ({@link Output#joined}, for the join's KTable), and subscriptions to start or end
 * ({@link Output#subscribe}, {@link Output#unsubscribe}), for the subscription topic; all under the fact's key, so the
 * join's KTable is fed without a repartition.
 */
final class ForeignKeyChild implements FixedKeyProcessor<String, ForeignKeyChild.Input, ForeignKeyChild.Output> {
    /** A change of the rows joined so far (null: none), or a response. */
    record Input(JoinedRows left, ForeignKeyResponse response) {
        static Input left(JoinedRows rows) {
            return new Input(rows, null);
        }

        static Input response(ForeignKeyResponse response) {
            return new Input(null, response);
        }
    }

    /** Joined rows (null: none), or a subscription to the parent row of key {@code foreignKey} to start or end. */
    record Output(JoinedRows joined, String foreignKey, boolean subscribe) {
        static Output joined(JoinedRows rows) {
            return new Output(rows, null, false);
        }

        static Output subscribe(String foreignKey) {
            return new Output(null, foreignKey, true);
        }

        static Output unsubscribe(String foreignKey) {
            return new Output(null, foreignKey, false);
        }

        boolean isJoined() {
            return foreignKey == null;
        }
    }

    private final FactPlan plan;
    private final FactPlan.Join join;
    /** The join's position in the joined rows, and the position of the rows its foreign key is read from. */
    private final int position;
    private final int parent;
    private final String leftStore;
    private final String joinedStore;
    private FixedKeyProcessorContext<String, Output> context;
    /** The rows joined so far by fact key: source rows (the root table's store) or joined rows (a join's store). */
    private TimestampedKeyValueStore<String, Object> left;
    /** This join's results by fact key (its KTable's store, which this feeds). */
    private TimestampedKeyValueStore<String, JoinedRows> joined;

    ForeignKeyChild(FactPlan plan, int index, String leftStore, String joinedStore) {
        this.plan = plan;
        this.join = plan.joins().get(index);
        this.position = index + 1;
        this.parent = plan.position(join.parentAlias());
        this.leftStore = leftStore;
        this.joinedStore = joinedStore;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Output> context) {
        this.context = context;
        this.left = context.getStateStore(leftStore);
        this.joined = context.getStateStore(joinedStore);
    }

    @Override
    public void process(FixedKeyRecord<String, Input> record) {
        Input input = record.value();
        if (input.response() == null) {
            onLeft(record, input.left());
        } else {
            onResponse(record, input.response());
        }
    }

    private void onLeft(FixedKeyRecord<String, Input> record, JoinedRows rows) {
        String foreignKey = rows == null ? null : FactTopology.pointsAt(rows.row(parent), join);
        JoinedRows last = ValueAndTimestamp.getValueOrNull(joined.get(record.key()));
        String lastForeignKey = last == null ? null : FactTopology.pointsAt(last.row(parent), join);
        if (foreignKey == null) {
            if (lastForeignKey != null) {
                forward(record, Output.unsubscribe(lastForeignKey));
            }
            forward(record, Output.joined(rows == null ? null : rows.with(position, null)));
        } else if (foreignKey.equals(lastForeignKey)) {
            forward(record, Output.joined(rows.with(position, last.row(position))));
        } else {
            forward(record, Output.subscribe(foreignKey)); // its response joins them
        }
    }

    private void onResponse(FixedKeyRecord<String, Input> record, ForeignKeyResponse response) {
        Object stored = ValueAndTimestamp.getValueOrNull(left.get(record.key()));
        JoinedRows rows = stored == null ? null : LocalJoins.rows(plan, stored);
        String foreignKey = rows == null ? null : FactTopology.pointsAt(rows.row(parent), join);
        if (response.foreignKey().equals(foreignKey)) {
            forward(record, Output.joined(rows.with(position, response.parent())));
        } else {
            forward(record, Output.unsubscribe(response.foreignKey())); // the fact row moved on: a subscription left behind
        }
    }

    private void forward(FixedKeyRecord<String, Input> record, Output output) {
        context.forward(record.withValue(output));
    }
}
