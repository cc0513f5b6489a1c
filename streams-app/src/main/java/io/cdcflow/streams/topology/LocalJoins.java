package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A fact's joins to small tables, done inside the task instead of through Kafka: each task holds every row of each
 * small table (its changes are copied to every partition), an index of which fact keys point at which small-table
 * row, and each fact key's joined object. A change on either side recomputes the joined objects it touches, so the
 * last one emitted per key is the join of the newest rows of both sides, in whatever order their changes arrive.
 *
 * <p>Input: the fact's rows joined so far (the root row, or the rows the foreign-key joins joined) as
 * {@link Change#left}, and small-table rows as {@link Change#right}. Output: the joined rows per fact key, with the
 * small tables' rows at their joins' positions as the foreign-key joins place them (null where there is none).
 */
final class LocalJoins implements Processor<String, LocalJoins.Change, String, JoinedRows> {
    /** Separates the parts of an index key; JSON text never holds a raw NUL. */
    private static final char SEP = '\0';
    private static final StringSerializer PREFIX = new StringSerializer();

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
    /** The local joins, in plan order, with their index in the plan. */
    private final List<Integer> local;
    private final String joinedStore;
    private final String indexStore;
    private final Map<String, String> replicaStores;
    private ProcessorContext<String, JoinedRows> context;
    private KeyValueStore<String, JoinedRows> joined;
    private KeyValueStore<String, String> index;
    private final Map<String, KeyValueStore<String, SourceRow>> replicas = new java.util.HashMap<>();

    LocalJoins(FactPlan plan, List<Integer> local, String joinedStore, String indexStore, Map<String, String> replicaStores) {
        this.plan = plan;
        this.local = local;
        this.joinedStore = joinedStore;
        this.indexStore = indexStore;
        this.replicaStores = replicaStores;
    }

    @Override
    public void init(ProcessorContext<String, JoinedRows> context) {
        this.context = context;
        joined = context.getStateStore(joinedStore);
        index = context.getStateStore(indexStore);
        replicaStores.forEach((table, store) -> replicas.put(table, context.getStateStore(store)));
    }

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
        String key = record.key();
        JoinedRows before = joined.get(key);
        JoinedRows now = record.value();
        for (int j : local) {
            String was = before == null ? null : foreignKey(before, j);
            String is = now == null ? null : foreignKey(now, j);
            if (!Objects.equals(was, is)) {
                if (was != null) {
                    index.delete(indexKey(j, was, key));
                }
                if (is != null) {
                    index.put(indexKey(j, is, key), "");
                }
            }
            if (now != null) {
                now = attach(now, j, is);
            }
        }
        if (now == null) {
            joined.delete(key);
        } else {
            joined.put(key, now);
        }
        context.forward(record.withValue(now));
    }

    /** A small table's row changed: keep it, and re-join every fact key that points at it. */
    private void right(String table, Record<String, SourceRow> record) {
        KeyValueStore<String, SourceRow> replica = replicas.get(table);
        if (record.value() == null) {
            replica.delete(record.key());
        } else {
            replica.put(record.key(), record.value());
        }
        for (int j : local) {
            FactPlan.Join join = plan.joins().get(j);
            if (!join.table().equals(table)) {
                continue;
            }
            String prefix = j + String.valueOf(SEP) + record.key() + SEP;
            List<String> keys = new ArrayList<>();
            try (KeyValueIterator<String, String> pointing = index.prefixScan(prefix, PREFIX)) {
                while (pointing.hasNext()) {
                    KeyValue<String, String> entry = pointing.next();
                    keys.add(entry.key.substring(prefix.length()));
                }
            }
            for (String key : keys) {
                JoinedRows current = joined.get(key);
                if (current == null) {
                    continue;
                }
                JoinedRows now = attach(current, j, record.key());
                joined.put(key, now);
                context.forward(new Record<>(key, now, record.timestamp()));
            }
        }
    }

    /** {@code rows} with join {@code j}'s row set to the small-table row {@code key} points at (null: none). */
    private JoinedRows attach(JoinedRows rows, int j, String key) {
        FactPlan.Join join = plan.joins().get(j);
        return rows.with(j + 1, key == null ? null : replicas.get(join.table()).get(key));
    }

    /** The key of the small-table row join {@code j} points at from {@code rows}, as its table's records are keyed. */
    private String foreignKey(JoinedRows rows, int j) {
        FactPlan.Join join = plan.joins().get(j);
        return FactTopology.pointsAt(rows.row(plan.position(join.parentAlias())), join);
    }

    private static String indexKey(int j, String foreignKey, String key) {
        return j + String.valueOf(SEP) + foreignKey + SEP + key;
    }
}
