package io.cdcflow.streams.topology;

import io.cdcflow.streams.model.SourceRow;
import java.util.function.BiFunction;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Feeds a KTable only the rows that changed: for each input, {@code next} computes the row from the one the table
 * holds (null for none) and passes it on, unless it returned that same row, in which case nothing goes downstream and
 * nothing is written to the store or its changelog. The store is the KTable's own, which writes what this passes on:
 * one store and one changelog per table. A source table applies change events ({@link SourceRow#apply}: duplicates,
 * stale re-deliveries and changes to no kept column return the row held); a table of the columns its joins read
 * projects its source table's rows ({@link FactTopology}).
 *
 * @param <V> the input: a change event, or a source row
 */
final class ChangedRows<V> implements FixedKeyProcessor<String, V, SourceRow> {
    private final String storeName;
    private final BiFunction<SourceRow, V, SourceRow> next;
    /** Told the time of each input that changed nothing: the facts that read the table have handled it. */
    private final java.util.function.LongConsumer unchanged;
    private FixedKeyProcessorContext<String, SourceRow> context;
    private TimestampedKeyValueStore<String, SourceRow> rows;

    ChangedRows(String storeName, BiFunction<SourceRow, V, SourceRow> next, java.util.function.LongConsumer unchanged) {
        this.storeName = storeName;
        this.next = next;
        this.unchanged = unchanged;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, SourceRow> context) {
        this.context = context;
        this.rows = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        SourceRow current = ValueAndTimestamp.getValueOrNull(rows.get(record.key()));
        SourceRow row = next.apply(current, record.value());
        if (row != current) {
            context.forward(record.withValue(row));
        } else {
            unchanged.accept(record.timestamp());
        }
    }
}
