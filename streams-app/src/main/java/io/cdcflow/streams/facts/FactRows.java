package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.model.RowState;
import java.util.Iterator;
import java.util.Map;

/**
 * Computes a fact's row from the source rows joined for it. The joined value is the root table's row state for a
 * fact without joins, else an object of row states by alias (an alias without a row is absent). The row carries
 * {@link RowState#COMMIT_LSN}, the newest commit LSN among the joined rows, and {@link RowState#DELETED}: set when
 * the fact row does not exist in the view: its root row is deleted, an INNER JOIN finds no row, or the WHERE is
 * not true. A deleted row carries only the key. Pure.
 */
public final class FactRows {
    private FactRows() {
    }

    /**
     * @throws FactRowException when an expression cannot be computed (division by zero, overflow, a bad cast): the
     *                          view would fail in PostgreSQL too
     */
    public static ObjectNode compute(FactPlan plan, JsonNode joined) {
        Expr.Row row = (alias, column) -> {
            JsonNode source = rowOf(plan, joined, alias);
            return RowState.exists(source) ? source.get(column) : null;
        };
        JsonNode root = rowOf(plan, joined, plan.root().alias());
        boolean exists = RowState.exists(root);
        for (FactPlan.Join join : plan.joins()) {
            if (join.inner() && !RowState.exists(rowOf(plan, joined, join.alias()))) {
                exists = false;
            }
        }
        if (exists && plan.where() != null) {
            exists = Boolean.TRUE.equals(evaluate(plan, "WHERE", plan.where(), row));
        }
        ObjectNode out = Json.object();
        if (!exists) {
            for (int i = 0; i < plan.key().size(); i++) {
                out.set(plan.key().get(i), root == null ? null : root.get(plan.rootKey().get(i)));
            }
        } else {
            for (FactPlan.Item item : plan.items()) {
                if (item instanceof FactPlan.Output o) {
                    out.set(o.name(), PgValues.toJson(evaluate(plan, o.name(), o.expr(), row)));
                } else if (item instanceof FactPlan.AllOf all) {
                    JsonNode source = rowOf(plan, joined, all.alias());
                    if (RowState.exists(source)) {
                        out.setAll(RowState.columns(source));
                    }
                }
            }
        }
        out.put(RowState.COMMIT_LSN, newestLsn(plan, joined));
        out.put(RowState.DELETED, !exists);
        return out;
    }

    /** The output record's key: the fact's key columns, {"order_id":10}. */
    public static String key(FactPlan plan, JsonNode factRow) {
        ObjectNode key = Json.object();
        for (String column : plan.key()) {
            key.set(column, factRow.get(column));
        }
        return key.toString();
    }

    /** The row joined under an alias, or null. */
    static JsonNode rowOf(FactPlan plan, JsonNode joined, String alias) {
        if (joined == null) {
            return null;
        }
        if (plan.joins().isEmpty()) {
            return alias.equals(plan.root().alias()) ? joined : null;
        }
        return joined.get(alias);
    }

    private static long newestLsn(FactPlan plan, JsonNode joined) {
        if (plan.joins().isEmpty()) {
            return RowState.version(joined);
        }
        long lsn = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = joined.fields(); it.hasNext(); ) {
            long v = RowState.version(it.next().getValue());
            if (Long.compareUnsigned(v, lsn) > 0) {
                lsn = v;
            }
        }
        return lsn;
    }

    private static Object evaluate(FactPlan plan, String column, Expr e, Expr.Row row) {
        try {
            return e.eval(row);
        } catch (PgValues.EvalException | ClassCastException | ArithmeticException ex) {
            throw new FactRowException("fact " + plan.name() + ", " + column + ": " + ex.getMessage());
        }
    }

    /** A fact row that cannot be computed. */
    public static final class FactRowException extends RuntimeException {
        public FactRowException(String message) {
            super(message);
        }
    }
}
