package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;

/**
 * Computes a fact's row from the source rows joined for it ({@link JoinedRows}: the root's first, then one per join).
 * The row is deleted when it does not exist in the view: its root row is deleted, an INNER JOIN finds no row, or the
 * WHERE is not true; a deleted row carries only the key. A plain column reference is copied as the source row holds
 * it; expressions are evaluated. Pure.
 */
public final class FactRows {
    private FactRows() {
    }

    /**
     * @throws FactRowException when an expression cannot be computed (division by zero, overflow, a bad cast): the
     *                          view would fail in PostgreSQL too
     */
    public static FactRow compute(FactPlan plan, JoinedRows joined) {
        Expr.Row row = (alias, column) -> {
            SourceRow source = joined.row(plan.position(alias));
            return SourceRow.exists(source) ? source.get(column) : null;
        };
        SourceRow root = joined.root();
        boolean exists = SourceRow.exists(root);
        for (int i = 0; i < plan.joins().size() && exists; i++) {
            if (plan.joins().get(i).inner() && !SourceRow.exists(joined.row(i + 1))) {
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
                    out.set(o.name(), o.expr() instanceof Expr.Col c ? copy(row.get(c.alias(), c.column()))
                            : PgValues.toJson(evaluate(plan, o.name(), o.expr(), row)));
                } else if (item instanceof FactPlan.AllOf all) {
                    SourceRow source = joined.row(plan.position(all.alias()));
                    if (SourceRow.exists(source)) {
                        out.setAll(source.columns());
                    }
                }
            }
        }
        return new FactRow(out, joined.newestLsn(), !exists);
    }

    /** A source value as the fact's: as it is (rows are immutable), SQL NULL for a missing one. */
    private static JsonNode copy(JsonNode value) {
        return value == null ? Json.MAPPER.getNodeFactory().nullNode() : value;
    }

    /** The output record's key: the fact's key columns, {"order_id":10}. */
    public static String key(FactPlan plan, ObjectNode columns) {
        JsonNode[] values = new JsonNode[plan.key().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = columns.get(plan.key().get(i));
        }
        return Json.objectText(plan.key().toArray(String[]::new), values);
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
