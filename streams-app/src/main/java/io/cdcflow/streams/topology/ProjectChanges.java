package io.cdcflow.streams.topology;

import io.cdcflow.streams.model.Projection;
import io.cdcflow.streams.model.SourceRow;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * A source table's rows as its joins need them: only the columns read through joins ({@link
 * io.cdcflow.streams.facts.Projections#joined}), passed on only when one of them or the deleted state changed. A
 * dimension that a fact also reads whole (its {@code SELECT *}) changes in columns no join reads; those changes stop
 * here instead of sending one foreign-key response per fact row that points at it. The store is the derived KTable's
 * own, as for {@link ApplyChanges}.
 */
final class ProjectChanges implements FixedKeyProcessor<String, SourceRow, SourceRow> {
    private final String storeName;
    private final Projection projection;
    private FixedKeyProcessorContext<String, SourceRow> context;
    private TimestampedKeyValueStore<String, SourceRow> rows;

    ProjectChanges(String storeName, Projection projection) {
        this.storeName = storeName;
        this.projection = projection;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, SourceRow> context) {
        this.context = context;
        this.rows = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, SourceRow> record) {
        if (record.value() == null) {
            return;
        }
        SourceRow projected = record.value().project(projection);
        ValueAndTimestamp<SourceRow> stored = rows.get(record.key());
        if (stored == null || !projected.sameContent(stored.value())) {
            context.forward(record.withValue(projected));
        }
    }
}
