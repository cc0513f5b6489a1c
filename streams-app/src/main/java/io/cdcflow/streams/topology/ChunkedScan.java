package io.cdcflow.streams.topology;

import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A scan of every row of a store in chunks, one chunk per call (a punctuation), going on after the last key it
 * visited: a store of millions of rows does not hold its stream thread past the consumer's poll interval, and records
 * are processed between chunks. The position is kept in memory only: a task that restarts scans from the start, which
 * the scans that use it tolerate (what they send twice is dropped as equal to the last row sent).
 */
final class ChunkedScan<V> {
    /** Rows per call: a fraction of a second of reading. */
    static final int CHUNK = 100_000;

    private final int chunk;
    private String after;
    private long visited;

    ChunkedScan() {
        this(CHUNK);
    }

    ChunkedScan(int chunk) {
        this.chunk = chunk;
    }

    /**
     * Hands the next rows (at most a chunk) to {@code each}, in key order.
     *
     * @return true once every row was visited (the scan then starts again from the first row when called again)
     */
    boolean next(ReadOnlyKeyValueStore<String, V> store, BiConsumer<String, V> each) {
        int visitedNow = 0;
        try (KeyValueIterator<String, V> rows = after == null ? store.all() : store.range(after, null)) {
            while (rows.hasNext()) {
                if (visitedNow == chunk) {
                    return false;
                }
                KeyValue<String, V> row = rows.next();
                if (row.key.equals(after)) {
                    continue; // the range starts at the last key visited
                }
                each.accept(row.key, row.value);
                after = row.key;
                visitedNow++;
                visited++;
            }
        }
        after = null;
        return true;
    }

    /** Rows visited since the scan began. */
    long visited() {
        return visited;
    }

    /** Forgets the position: the next call starts from the first row. */
    void restart() {
        after = null;
        visited = 0;
    }
}
