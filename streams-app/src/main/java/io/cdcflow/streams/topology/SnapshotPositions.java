package io.cdcflow.streams.topology;

import java.util.Map;
import java.util.Set;

/**
 * Where the application stands against the source tables' snapshots ({@code SnapshotBounds}, which the wal-producer
 * records), as the processors need it: whether a small table's copies in a task may still lack rows its snapshot
 * brings. {@link LocalJoins} holds a fact row whose small-table row is missing while they may ({@link #copiesComplete}
 * false), instead of sending it without the row and again with it, and sends the rows still missing theirs once the
 * copies are complete, in one scan per snapshot ({@link #snapshot}).
 *
 * <p>Written by one thread ({@code SnapshotWatch}), read by the stream threads; each view is immutable. For a given
 * snapshot a partition only ever goes from incomplete to complete. No snapshot known (no record, or
 * {@code STREAMS_SNAPSHOT_STATE_TOPIC=none}) means complete: nothing waits on a signal that cannot come.
 */
public final class SnapshotPositions {
    /**
     * One small table's copies: the snapshot they follow and, once every partition of the table has been read past
     * its snapshot's end ({@code read}), the partitions of each copies store that have not yet read every copy made
     * until then.
     *
     * @param snapshot the ids of the table's snapshots (one per slot), joined: a new snapshot has a new one
     */
    public record Copies(String snapshot, boolean read, Map<String, Set<Integer>> incomplete) {
        public Copies {
            incomplete = Map.copyOf(incomplete);
        }
    }

    private volatile Map<String, Copies> tables = Map.of();

    /** Whether task partition {@code partition} of {@code store} holds every row the snapshots of {@code table} brought. */
    public boolean copiesComplete(String table, String store, int partition) {
        Copies copies = tables.get(table);
        if (copies == null) {
            return true;
        }
        return copies.read() && !copies.incomplete().getOrDefault(store, Set.of()).contains(partition);
    }

    /** The snapshot of {@code table} the copies follow, or null when none is known. */
    public String snapshot(String table) {
        Copies copies = tables.get(table);
        return copies == null ? null : copies.snapshot();
    }

    /** Replaces the view: by small table. */
    public void update(Map<String, Copies> now) {
        tables = Map.copyOf(now);
    }
}
