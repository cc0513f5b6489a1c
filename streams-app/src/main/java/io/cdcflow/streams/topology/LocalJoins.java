package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * A fact's joins to small tables, done inside the task instead of through Kafka: each task holds every row of each
 * small table (its changes are copied to every partition, into the store of a KTable) and an index of which fact keys
 * point at which small-table row, kept beside the fact's rows joined so far in the store of the table they come from
 * (the root table's, or the last foreign-key join's: {@link JoinIndexStore}), so nothing is stored twice and the index
 * needs no changelog. A change on either side recomputes
 * the joined rows it touches, so the last one emitted per key is the join of the newest rows of both sides, in
 * whatever order their changes arrive.
 *
 * <p>Input: the fact's rows joined so far (the root row, or the rows the foreign-key joins joined) as
 * {@link Change#left}, and small-table rows as {@link Change#right}. Output: the joined rows per fact key, with the
 * small tables' rows at their joins' positions as the foreign-key joins place them (null where there is none).
 *
 * <p>While a small table's snapshot may still bring rows the task's copy lacks ({@link SnapshotPositions}), a fact
 * row pointing at a small-table row the copy does not hold is not sent: its index entry is written, so the row's
 * arrival sends it, joined, once. When the copies are complete, one scan of the fact's rows sends those still without
 * their row (a foreign key to no row: the join's nulls), and records in a small logged store that it ran for that
 * snapshot, in the transaction of its output: a crash before it commits runs it again, one after does not. A row held
 * clears that record, so a row held after a scan (a task moved to an instance whose view is behind) gets one too.
 * Sending a row twice is harmless ({@link VersionStamper} drops a row equal to the last one sent).
 *
 * <p>The index is cleaned lazily: an entry is written each time a fact row changes, for the small-table row it points at
 * (a local write: the index has no changelog), and removed when that small-table row changes and the fact row no longer
 * points at it (moved, or gone).
 */
final class LocalJoins implements Processor<String, LocalJoins.Change, String, JoinedRows> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalJoins.class);
    /** A change of the fact's left side ({@code table} null) or of a small table's row (null: row gone). */
    record Change(String table, JoinedRows left, SourceRow right) {
        static Change left(JoinedRows value) {
            return new Change(null, value, null);
        }

        static Change right(String table, SourceRow row) {
            return new Change(table, null, row);
        }
    }

    private final FactPlan plan;
    private final JoinPaths paths;
    private final RowsSoFar.Reader rowsSoFar;
    /** The local joins, in plan order, with their index in the plan. */
    private final List<Integer> local;
    private final String leftStore;
    private final Map<String, String> replicaStores;
    private ProcessorContext<String, JoinedRows> context;
    /** The stores the rows joined so far are read from ({@link RowsSoFar}), by name. */
    private final Map<String, TimestampedKeyValueStore<String, Object>> stores = new java.util.HashMap<>();
    /** The index, kept in the left store beside its rows ({@link JoinIndexStore}). */
    private JoinIndexStore index;
    private final Map<String, Replica> replicas = new java.util.HashMap<>();
    private final SnapshotPositions snapshots;
    /** The store of the scans run at a snapshot's end, per small table ({@link SnapshotScan}). */
    private final String scanStore;
    private int partition;
    /** Per small table, its scan. */
    private final Map<String, SnapshotScan<ValueAndTimestamp<Object>>> scans = new java.util.HashMap<>();

    /**
     * @param paths which joins are done inside each task; with the plan, they say which stores hold the rows joined so far
     */
    LocalJoins(FactPlan plan, JoinPaths paths, Map<String, String> replicaStores, SnapshotPositions snapshots, String scanStore) {
        this.snapshots = snapshots;
        this.scanStore = scanStore;
        this.plan = plan;
        this.paths = paths;
        this.rowsSoFar = new RowsSoFar.Reader(plan, paths);
        this.local = paths.local(plan);
        this.leftStore = FactStateNames.store(plan, paths);
        this.replicaStores = replicaStores;
    }

    @Override
    public void init(ProcessorContext<String, JoinedRows> context) {
        this.context = context;
        RowsSoFar.stores(plan, paths, plan.joins().size()).forEach(store -> stores.put(store, context.getStateStore(store)));
        index = JoinIndexStore.in(stores.get(leftStore));
        replicaStores.forEach((table, store) -> replicas.put(table, new Replica(context.getStateStore(store))));
        KeyValueStore<String, String> scanned = context.getStateStore(scanStore);
        replicaStores.keySet().forEach(table -> scans.put(table, new SnapshotScan<>(scanned, table)));
        partition = context.taskId().partition();
        context.schedule(SCAN_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> replicaStores.keySet().forEach(this::scanOnceComplete));
    }

    /** How often a task looks whether a small table's copies became complete. */
    private static final java.time.Duration SCAN_CHECK = java.time.Duration.ofMillis(250);

    @Override
    public void process(Record<String, Change> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value().table() == null) {
            left(record.withValue(record.value().left()));
        } else {
            right(record.value().table(), record.withValue(record.value().right()));
        }
    }

    /** The fact's left side changed: index its small-table keys, join, emit. */
    private void left(Record<String, JoinedRows> record) {
        JoinedRows now = record.value();
        boolean held = false;
        if (now != null) {
            for (int j : local) {
                String is = foreignKey(plan, now, j);
                if (is != null) {
                    index.add(plan.name(), j, is, record.key());
                }
                String table = plan.joins().get(j).table();
                SourceRow row = is == null ? null : replicas.get(table).get(is);
                if (is != null && row == null && !complete(table)) {
                    held = true;
                    scans.get(table).held();
                }
                now = now.with(j + 1, row);
            }
        }
        if (!held) { // a held row goes out when its small-table row arrives (the index), or in the scan at the snapshot's end
            context.forward(record.withValue(now));
        }
    }

    /** Whether this task's copy of {@code table} holds every row its snapshots brought: no row missing will come. */
    private boolean complete(String table) {
        // or a scan ran for this snapshot: another instance saw the copies complete before this one's view did
        return snapshots.copiesComplete(table, replicaStores.get(table), partition)
                || scans.get(table).ranFor(snapshots.snapshot(table));
    }

    /**
     * Once the copies of {@code table} are complete, and once per snapshot of it: sends each fact row of the task
     * pointing at a row of {@code table} that the copy lacks (held back until now), unless it also lacks a row of a
     * table whose copies are still incomplete (that table's scan sends it). In chunks, one per punctuation.
     */
    private void scanOnceComplete(String table) {
        SnapshotScan<ValueAndTimestamp<Object>> scan = scans.get(table);
        boolean done = scan.step(snapshots.snapshot(table), snapshots.copiesComplete(table, replicaStores.get(table), partition),
                stores.get(leftStore), (key, stored) -> {
                    JoinedRows rows = left(key);
                    if (rows == null || rows == RowsSoFar.PENDING || !lacks(rows, table) || waits(rows)) {
                        return false;
                    }
                    context.forward(new Record<>(key, attach(plan, local, rows, (t, k) -> replicas.get(t).get(k)), stored.timestamp()));
                    return true;
                });
        if (done) {
            LOG.info("fact {}: the copies of {} are complete in partition {}: {} row(s) scanned, {} sent without their {} row",
                    plan.name(), table, partition, scan.visited(), scan.sent(), table);
        }
    }

    /** Whether {@code rows} point at a row of {@code table} the task's copy does not hold. */
    private boolean lacks(JoinedRows rows, String table) {
        for (int j : local) {
            if (plan.joins().get(j).table().equals(table)) {
                String key = foreignKey(plan, rows, j);
                if (key != null && replicas.get(table).get(key) == null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code rows} point at a missing row of a table whose copies are still incomplete: held for that table. */
    private boolean waits(JoinedRows rows) {
        for (String table : replicaStores.keySet()) {
            if (!complete(table) && lacks(rows, table)) {
                return true;
            }
        }
        return false;
    }

    /** A small table's row changed: keep it, and re-join every fact key that still points at it. */
    private void right(String table, Record<String, SourceRow> record) {
        replicas.get(table).copied(record.key(), record.value());
        for (int j : local) {
            FactPlan.Join join = plan.joins().get(j);
            if (!join.table().equals(table)) {
                continue;
            }
            for (String key : index.pointing(plan.name(), j, record.key())) {
                JoinedRows current = left(key);
                if (current == RowsSoFar.PENDING) {
                    continue; // a join through Kafka waits for its response, which emits the rows with this row
                }
                if (current == null || !record.key().equals(foreignKey(plan, current, j))) {
                    index.remove(plan.name(), j, record.key(), key); // the fact row moved to another row, or is gone
                    continue;
                }
                JoinedRows now = attach(plan, local, current, (t, k) -> replicas.get(t).get(k));
                context.forward(new Record<>(key, now, record.timestamp()));
            }
        }
    }

    /** The fact's rows joined so far, as the stores hold them ({@link RowsSoFar}); null when none. */
    private JoinedRows left(String key) {
        return rowsSoFar.read(key, plan.joins().size(),
                (store, k) -> ValueAndTimestamp.getValueOrNull(stores.get(store).get(k)));
    }

    /** A value of the store the rows joined so far come from, as joined rows: a root table's row, or a join's rows. */
    static JoinedRows rows(FactPlan plan, Object stored) {
        return stored instanceof SourceRow row ? JoinedRows.root(row, plan.joins().size()) : (JoinedRows) stored;
    }

    /**
     * {@code rows} with each local join's row set to the small-table row its foreign key points at (null: none),
     * {@code replica} giving a small table's row by key. The interactive queries join the same way.
     */
    static JoinedRows attach(FactPlan plan, List<Integer> local, JoinedRows rows, java.util.function.BiFunction<String, String, SourceRow> replica) {
        JoinedRows joined = rows;
        for (int j : local) {
            String key = foreignKey(plan, rows, j); // a local join is no other join's parent: rows holds every parent
            joined = joined.with(j + 1, key == null ? null : replica.apply(plan.joins().get(j).table(), key));
        }
        return joined;
    }

    /** The key of the small-table row join {@code j} points at from {@code rows}, as its table's records are keyed. */
    static String foreignKey(FactPlan plan, JoinedRows rows, int j) {
        FactPlan.Join join = plan.joins().get(j);
        return FactTopology.pointsAt(rows.row(plan.position(join.parentAlias())), join);
    }

    /**
     * A task's copy of a small table: the store of the copies' KTable, and the rows read last, decoded. Many fact rows
     * point at each small table row, and the KTable writes the store before it passes the row on to {@link #copied},
     * which updates the heap: a fact row's join reads the heap instead of decoding the same row from RocksDB again.
     * Rows are shared, never changed (as in {@link JoinedRows}); the cache starts empty with each task.
     */
    private static final class Replica {
        private static final int CACHED = 10_000;
        private final TimestampedKeyValueStore<String, SourceRow> store;
        /** Emptied when it outgrows {@link #CACHED} (a copy of up to that many rows stays whole; reads never reorder it). */
        private final Map<String, java.util.Optional<SourceRow>> recent = new java.util.HashMap<>(256);

        Replica(TimestampedKeyValueStore<String, SourceRow> store) {
            this.store = store;
        }

        SourceRow get(String key) {
            java.util.Optional<SourceRow> row = recent.get(key);
            if (row == null) {
                row = java.util.Optional.ofNullable(ValueAndTimestamp.getValueOrNull(store.get(key)));
                remember(key, row);
            }
            return row.orElse(null);
        }

        /** The store now holds {@code row} for {@code key} (null: the row is gone). */
        void copied(String key, SourceRow row) {
            remember(key, java.util.Optional.ofNullable(row));
        }

        private void remember(String key, java.util.Optional<SourceRow> row) {
            if (recent.size() >= CACHED && !recent.containsKey(key)) {
                recent.clear();
            }
            recent.put(key, row);
        }
    }
}
