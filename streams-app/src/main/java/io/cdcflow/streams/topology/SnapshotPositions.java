package io.cdcflow.streams.topology;

import io.cdcflow.common.facts.FactQueries;
import io.cdcflow.common.kafka.FactsExport;
import java.util.Map;
import java.util.Set;

/**
 * Where the application stands against the source tables' snapshots ({@code SnapshotBounds}, which the wal-producer
 * records), as the processors need it: whether a row the task has not seen may still come from a snapshot. While it
 * may, {@link LocalJoins} holds a fact row whose small-table row its copy lacks ({@link #copiesComplete}), and the
 * parent side of a join through Kafka ({@link ForeignKeyParent}) holds the "no such row" answer to a subscription
 * ({@link #read}), instead of sending a fact without the row and again with it. Each sends what is still held once
 * the snapshot is in, in one scan per snapshot ({@link #snapshot}).
 *
 * <p>Written by one thread ({@code SnapshotWatch}), read by the stream threads; each view is immutable. For a given
 * snapshot a partition only ever goes from unread to read, incomplete to complete. No snapshot known (no record, or
 * {@code STREAMS_SNAPSHOT_STATE_TOPIC=none}) means read and complete: nothing waits on a signal that cannot come.
 */
public final class SnapshotPositions {
    /**
     * One table's snapshots: the partitions of its topic the application has not read past their snapshot's end yet,
     * and once it has read them all, the partitions of each store of its copies that have not yet read every copy made
     * until then.
     *
     * @param snapshot the ids of the table's snapshots (one per slot), joined: a new snapshot has a new one
     */
    public record Table(String snapshot, Set<Integer> unread, Map<String, Set<Integer>> incomplete) {
        public Table {
            unread = Set.copyOf(unread);
            incomplete = Map.copyOf(incomplete);
        }
    }

    private volatile Map<String, Table> tables = Map.of();
    /** The newest facts export per slot ({@link FactsExport}), as the state topic holds them. */
    private volatile Map<String, FactsExport> exports = Map.of();
    /** Each fact's definition as this application has it: the hash of its name and SELECT ({@link FactQueries#hash}). */
    private volatile Map<String, String> own = Map.of();

    /**
     * This application's facts whose rows an export may stand for: their definitions' hashes by name (a fact whose
     * columns take the version's or delete flag's name is left out: an export's rows carry those under their usual names).
     */
    public synchronized void ownFacts(Map<String, String> hashes) {
        own = Map.copyOf(hashes);
        exportedAt = exportedAt();
    }

    /** {@link #exportedAt(String)} of every fact an export stands for, recomputed when the exports or the facts change. */
    private volatile Map<String, Long> exportedAt = Map.of();

    /** The consistent point of each slot's newest completed snapshot. */
    private volatile Map<String, Long> completed = Map.of();

    /** A slot's snapshot completed at {@code lsn}: its facts export, if any, is in Kafka. */
    public synchronized void completed(String slot, long lsn) {
        Map<String, Long> now = new java.util.HashMap<>(completed);
        now.merge(slot, lsn, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
        completed = Map.copyOf(now);
    }

    /**
     * An export of this application's facts the wal-producer announced and has not completed yet (its snapshot is not
     * recorded complete at or after the export's LSN), or null: while one runs, the stream threads may wait, leaving
     * the machine to the snapshot and its export, whose facts land without them.
     */
    public FactsExport exportRunning() {
        // the newest only: one a slot given up long ago announced (POSTGRES_CDC_SLOT changed) must not hold anything
        FactsExport export = exports.values().stream().max((a, b) -> Long.compareUnsigned(a.lsn(), b.lsn())).orElse(null);
        if (export == null || own.entrySet().stream().noneMatch(f -> export.covers(f.getKey(), f.getValue()))) {
            return null;
        }
        Long done = completed.get(export.slot());
        return done == null || Long.compareUnsigned(done, export.lsn()) < 0 ? export : null;
    }

    /** Whether {@code fact} is one of this application's facts an export may stand for, however defined. */
    public boolean takesExportsOf(String fact) {
        return own.containsKey(fact);
    }

    /** Whether this application defines {@code fact} as the definition of hash {@code hash}. */
    public boolean defines(String fact, String hash) {
        return hash != null && hash.equals(own.get(fact));
    }

    /** A facts export the wal-producer announced: it replaces the slot's earlier one. */
    public synchronized void exported(FactsExport export) {
        Map<String, FactsExport> now = new java.util.HashMap<>(exports);
        now.put(export.slot(), export);
        exports = Map.copyOf(now);
        exportedAt = exportedAt();
    }

    /**
     * The LSN at which PostgreSQL computed {@code fact}'s rows as this application defines it, sent by the wal-producer
     * to land in ClickHouse with that version, or 0 when none is known: a fact row whose inputs are all at most this
     * old need not be sent ({@code VersionStamper}).
     */
    public long exportedAt(String fact) {
        Long lsn = exportedAt.get(fact); // asked for each fact row: a lookup, the newest export found when it changes
        return lsn == null ? 0 : lsn;
    }

    private Map<String, Long> exportedAt() {
        Map<String, Long> newest = new java.util.HashMap<>();
        own.forEach((fact, hash) -> {
            for (FactsExport export : exports.values()) {
                if (export.covers(fact, hash)) {
                    newest.merge(fact, export.lsn(), (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
                }
            }
        });
        return Map.copyOf(newest);
    }

    /** Whether task partition {@code partition} of copies store {@code store} holds every row the snapshots of {@code table} brought. */
    public boolean copiesComplete(String table, String store, int partition) {
        Table t = tables.get(table);
        return t == null || t.unread().isEmpty() && !t.incomplete().getOrDefault(store, Set.of()).contains(partition);
    }

    /** Whether the application has read partition {@code partition} of {@code table}'s topic past its snapshots' rows. */
    public boolean read(String table, int partition) {
        Table t = tables.get(table);
        return t == null || !t.unread().contains(partition);
    }

    /** The snapshot of {@code table} the view follows, or null when none is known. */
    public String snapshot(String table) {
        Table t = tables.get(table);
        return t == null ? null : t.snapshot();
    }

    /** Replaces the view: by table. */
    public void update(Map<String, Table> now) {
        tables = Map.copyOf(now);
    }
}
