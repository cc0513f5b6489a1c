package io.cdcflow.streams.topology;

import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Named;

/**
 * A table as the topology reads it: its changes, and the store of its rows, which the processors reading it are
 * connected to by name. A KTable's ({@link #of}), or a source table its topic restores ({@link SourceTables}), or
 * a fact's rows joined so far that no store holds ({@link RowsSoFar#paired}), neither of which is a KTable.
 */
record Rows<V>(KTable<String, V> table, KStream<String, V> changes, String store) {
    static <V> Rows<V> of(KTable<String, V> table) {
        return new Rows<>(table, null, table.queryableStoreName());
    }

    /** The table's changes, through a node of that name where it is a KTable. */
    KStream<String, V> changes(String name) {
        return table != null ? table.toStream(Named.as(name)) : changes;
    }
}
