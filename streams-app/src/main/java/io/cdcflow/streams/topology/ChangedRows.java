package io.cdcflow.streams.topology;

import io.cdcflow.streams.model.Projection;
import io.cdcflow.streams.model.SourceRow;
import java.util.function.BiFunction;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
    /**
     * The header of a changed row whose change alters none of the columns the joins read ({@code joined}): the joins'
     * paths ({@link LocalJoins}' copies of a table, {@link ForeignKeyParent.OnChange}) pass it by, so a column only the
     * table's own fact reads (an order's total) costs nothing in the facts that join the table.
     */
    static final String JOINS_UNCHANGED = "cdc.streams.joins-unchanged";
    private static final byte[] EMPTY = new byte[0];
    private final String storeName;
    /** The columns the joins of the table read, when fewer than the table keeps; null: every change reaches them. */
    private final Projection joined;
    private final BiFunction<SourceRow, V, SourceRow> next;
    /** Told the time of each input that changed nothing: the facts that read the table have handled it. */
    private final java.util.function.LongConsumer unchanged;
    /** Whether this processor writes the rows it passes on to the store (else the KTable after it does). */
    private final boolean writes;
    private FixedKeyProcessorContext<String, SourceRow> context;
    private TimestampedKeyValueStore<String, SourceRow> rows;

    ChangedRows(String storeName, BiFunction<SourceRow, V, SourceRow> next, java.util.function.LongConsumer unchanged, Projection joined,
                boolean writes) {
        this.storeName = storeName;
        this.writes = writes;
        this.joined = joined;
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
        FixedKeyRecord<String, SourceRow> changed = changed(record, current, next.apply(current, record.value()), joined);
        if (changed != null) {
            if (writes) {
                rows.put(record.key(), ValueAndTimestamp.make(changed.value(), record.timestamp()));
            }
            context.forward(changed);
        } else {
            unchanged.accept(record.timestamp());
        }
    }

    /**
     * The record to pass on for {@code row}, the row of {@code record}'s key after it: null when it is {@code current},
     * the one before; marked when it changed none of the {@code joined} columns ({@link #JOINS_UNCHANGED}).
     */
    static FixedKeyRecord<String, SourceRow> changed(FixedKeyRecord<String, ?> record, SourceRow current, SourceRow row,
                                                     Projection joined) {
        if (row == current) {
            return null;
        }
        if (joined != null && current != null && row != null && row.sameContent(current, joined)) {
            // the record's headers are shared with the processors beside this one: a copy carries the mark
            Headers marked = new RecordHeaders(record.headers().toArray()).add(JOINS_UNCHANGED, EMPTY);
            return record.withValue(row).withHeaders(marked);
        }
        return record.withValue(row);
    }

    /** Whether a row's change left every column its table's joins read as it was ({@link #JOINS_UNCHANGED}). */
    static boolean joinsUnchanged(Headers headers) {
        return headers.lastHeader(JOINS_UNCHANGED) != null;
    }

    /** Passes on the changes the joins see: the rows of a table on their way to its joins. */
    static final class JoinsSee implements FixedKeyProcessor<String, SourceRow, SourceRow> {
        private FixedKeyProcessorContext<String, SourceRow> context;

        @Override
        public void init(FixedKeyProcessorContext<String, SourceRow> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, SourceRow> record) {
            if (!joinsUnchanged(record.headers())) {
                context.forward(record);
            }
        }
    }
}
