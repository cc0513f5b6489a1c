package io.cdcflow.streams.topology;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.streams.model.Projection;
import io.cdcflow.streams.model.SourceRow;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Applies a source table's change events to its current rows ({@link SourceRow#apply}) and passes on only the rows
 * that changed: a duplicate, a stale re-delivery, or a change to columns no fact reads sends nothing downstream, and
 * writes nothing to the store or its changelog. The store is the source table's KTable's own, which writes what this
 * passes on: one store and one changelog per table.
 */
final class ApplyChanges implements FixedKeyProcessor<String, ChangeEvent, SourceRow> {
    private final String storeName;
    private final Projection projection;
    private FixedKeyProcessorContext<String, SourceRow> context;
    private TimestampedKeyValueStore<String, SourceRow> rows;

    ApplyChanges(String storeName, Projection projection) {
        this.storeName = storeName;
        this.projection = projection;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, SourceRow> context) {
        this.context = context;
        this.rows = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, ChangeEvent> record) {
        ValueAndTimestamp<SourceRow> stored = rows.get(record.key());
        SourceRow current = stored == null ? null : stored.value();
        SourceRow next = SourceRow.apply(current, record.value(), projection);
        if (next != current) {
            context.forward(record.withValue(next));
        }
    }
}
