package io.cdcflow.streams.topology;

import java.util.function.BiPredicate;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The scan a processor runs once a table's snapshot is in, to send what it held back while the snapshot might still
 * bring a row ({@link LocalJoins}, {@link ForeignKeyParent.OnSubscription}). It visits a store's rows in chunks
 * ({@link ChunkedScan}) and, when it has visited them all, records the snapshot it ran for under the table's name in
 * a small logged store, in the transaction of what it sent: a crash before that commits scans again, one after does
 * not. A row held back deletes the record ({@link #held}), so a row held after a scan (a task moved to an instance
 * whose view of the snapshot lags) is scanned again at the next end.
 */
final class SnapshotScan<V> {
    private final KeyValueStore<String, String> records;
    private final String table;
    private final ChunkedScan<V> rows = new ChunkedScan<>();
    /** Rows the scan under way, or the one just finished, sent something for. */
    private long sent;
    /** The last call finished a scan: the next one starts counting anew. */
    private boolean finished;

    /** @param records the processor's store of scans run, by table */
    SnapshotScan(KeyValueStore<String, String> records, String table) {
        this.records = records;
        this.table = table;
    }

    /** Whether a scan ran for {@code snapshot} (null: no snapshot known): nothing is held for it any more. */
    boolean ranFor(String snapshot) {
        return snapshot != null && snapshot.equals(records.get(table));
    }

    /** A row was held back: the next scan runs whatever ran before. */
    void held() {
        if (records.get(table) != null) {
            records.delete(table);
        }
    }

    /**
     * One chunk of the scan for {@code snapshot}, once it has {@code ended} and unless a scan ran for it, each row
     * of {@code store} handed to {@code each}, which says whether it sent something for the row.
     *
     * @return true when this call finished the scan ({@link #visited} and {@link #sent} then count its rows)
     */
    boolean step(String snapshot, boolean ended, ReadOnlyKeyValueStore<String, V> store, BiPredicate<String, V> each) {
        boolean due = snapshot != null && ended && !ranFor(snapshot);
        if (finished || !due) {
            rows.restart();
            sent = 0;
            finished = false;
        }
        if (!due) {
            return false;
        }
        if (!rows.next(store, (key, value) -> {
            if (each.test(key, value)) {
                sent++;
            }
        })) {
            return false;
        }
        records.put(table, snapshot);
        finished = true;
        return true;
    }

    /** Rows the scan under way, or the one just finished, visited. */
    long visited() {
        return rows.visited();
    }

    /** Rows the scan under way, or the one just finished, sent something for. */
    long sent() {
        return sent;
    }
}
