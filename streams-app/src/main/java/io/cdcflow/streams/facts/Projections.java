package io.cdcflow.streams.facts;

import io.cdcflow.streams.model.Projection;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which columns of each source table the facts read: the select lists' and WHEREs' column references, both sides of
 * every join's ON, and the primary keys; every column where a fact selects {@code alias.*}. A source table's store
 * keeps only these, and a change to none of them goes no further. Pure.
 */
public final class Projections {
    private Projections() {
    }

    /** The projection of every source table the plans read. */
    public static Map<String, Projection> of(List<FactPlan> plans) {
        Map<String, Set<String>> read = new LinkedHashMap<>();
        Set<String> whole = new LinkedHashSet<>();
        for (FactPlan plan : plans) {
            Map<String, String> tableOf = new HashMap<>();
            tableOf.put(plan.root().alias(), plan.root().table());
            plan.joins().forEach(j -> tableOf.put(j.alias(), j.table()));
            Consumer<Expr.Col> reads = c -> read.computeIfAbsent(tableOf.get(c.alias()), t -> new LinkedHashSet<>()).add(c.column());
            read.computeIfAbsent(plan.root().table(), t -> new LinkedHashSet<>()).addAll(plan.rootKey());
            for (FactPlan.Join join : plan.joins()) {
                read.computeIfAbsent(join.table(), t -> new LinkedHashSet<>()).addAll(join.keyColumns());
                read.computeIfAbsent(tableOf.get(join.parentAlias()), t -> new LinkedHashSet<>()).addAll(join.parentColumns());
            }
            for (FactPlan.Item item : plan.items()) {
                if (item instanceof FactPlan.Output o) {
                    columns(o.expr(), reads);
                } else if (item instanceof FactPlan.AllOf all) {
                    whole.add(tableOf.get(all.alias()));
                }
            }
            if (plan.where() != null) {
                columns(plan.where(), reads);
            }
        }
        Map<String, Projection> projections = new LinkedHashMap<>();
        read.forEach((table, columns) -> projections.put(table, whole.contains(table) ? Projection.ALL : Projection.of(columns)));
        return projections;
    }

    /** Every column reference in an expression tree (its parts are record components: expressions or lists of them). */
    static void columns(Expr e, Consumer<Expr.Col> found) {
        if (e == null) {
            return;
        }
        if (e instanceof Expr.Col c) {
            found.accept(c);
            return;
        }
        for (RecordComponent component : e.getClass().getRecordComponents()) {
            Object part;
            try {
                part = component.getAccessor().invoke(e);
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
            if (part instanceof Expr sub) {
                columns(sub, found);
            } else if (part instanceof List<?> list) {
                list.forEach(x -> {
                    if (x instanceof Expr sub) {
                        columns(sub, found);
                    }
                });
            }
        }
    }
}
