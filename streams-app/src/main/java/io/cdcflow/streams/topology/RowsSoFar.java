package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A fact's rows joined so far by its key, read from the stores that hold them. In the layout of {@link #paired} facts
 * no store holds the joined rows: they are the root table's row, then for each join through Kafka the parent row its
 * pair store holds ({@code <fact>-<alias>-parents}, keyed by parent key and fact key, restored from the responses topic:
 * {@link PairedChild}) under the key the root row points at. A missing pair is {@link #PENDING}: a subscription is
 * on its way, and its response will emit the rows. Otherwise the store of the root table or of the last join through
 * Kafka holds them whole.
 */
public final class RowsSoFar {
    /** The rows wait for a response: not emitted from here (its response emits them). */
    public static final JoinedRows PENDING = JoinedRows.root(null, 0);

    private RowsSoFar() {
    }

    /**
     * Whether a fact takes the paired layout: every join through Kafka (at least one, the app's own, not Kafka Streams')
     * and every join inside each task reads its foreign key from the root row (a star: no join's row is another's parent).
     */
    public static boolean paired(FactPlan plan, JoinPaths paths) {
        if (paths.kafkaStreamsJoins(plan) || paths.local(plan).size() == plan.joins().size()) {
            return false;
        }
        return plan.joins().stream().allMatch(join -> plan.position(join.parentAlias()) == 0);
    }

    /**
     * The stores {@link #read} reads for the rows before join {@code upTo}: the fact's {@link FactStateNames#store}, and
     * in the paired layout the pair stores of the joins through Kafka before {@code upTo}.
     */
    static List<String> stores(FactPlan plan, JoinPaths paths, int upTo) {
        List<String> stores = new ArrayList<>(List.of(FactStateNames.store(plan, paths)));
        if (paired(plan, paths)) {
            for (int i = 0; i < upTo; i++) {
                if (!paths.local(plan).contains(i)) {
                    stores.add(FactStateNames.pairStore(plan, i));
                }
            }
        }
        return stores;
    }

    /**
     * The rows of {@code key} before join {@code upTo} (all joins through Kafka: {@code plan.joins().size()}), the joins
     * inside each task not added: null when the fact has no root row, {@link #PENDING} while one is on its way.
     *
     * @param stored a store's value by store name and key (null: none)
     */
    public static JoinedRows read(FactPlan plan, JoinPaths paths, String key, int upTo, BiFunction<String, String, Object> stored) {
        return new Reader(plan, paths).read(key, upTo, stored);
    }

    /** {@link #read} for one fact, with the layout and the stores' names worked out once (a processor reads per record). */
    public static final class Reader {
        private final FactPlan plan;
        private final boolean paired;
        /** The fact's {@link FactStateNames#store}, or in the paired layout the root table's. */
        private final String store;
        /** In the paired layout, join {@code i}'s pair store, or null for a join inside each task. */
        private final String[] pairStores;

        public Reader(FactPlan plan, JoinPaths paths) {
            this.plan = plan;
            this.paired = paired(plan, paths);
            this.store = paired ? FactStateNames.tableStore(plan.root().table()) : FactStateNames.store(plan, paths);
            this.pairStores = new String[plan.joins().size()];
            for (int i = 0; paired && i < pairStores.length; i++) {
                pairStores[i] = paths.local(plan).contains(i) ? null : FactStateNames.pairStore(plan, i);
            }
        }

        /** As {@link RowsSoFar#read}. */
        public JoinedRows read(String key, int upTo, BiFunction<String, String, Object> stored) {
            if (!paired) {
                Object value = stored.apply(store, key);
                return value == null ? null : LocalJoins.rows(plan, value);
            }
            Object root = stored.apply(store, key);
            if (root == null) {
                return null;
            }
            JoinedRows rows = JoinedRows.root((SourceRow) root, plan.joins().size());
            for (int i = 0; i < upTo; i++) {
                if (pairStores[i] == null) {
                    continue;
                }
                FactPlan.Join join = plan.joins().get(i);
                String foreignKey = FactTopology.pointsAt(rows.row(0), join);
                if (foreignKey == null) {
                    rows = rows.with(i + 1, null);
                    continue;
                }
                Object pair = stored.apply(pairStores[i], ForeignKeySubscriptions.key(foreignKey, key));
                if (pair == null) {
                    return PENDING;
                }
                rows = rows.with(i + 1, ((ForeignKeyResponse) pair).parent());
            }
            return rows;
        }
    }
}
