package io.cdcflow.streams.facts;

import io.cdcflow.streams.model.Projection;
import java.lang.reflect.RecordComponent;
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

    /** The projection of every source table the plans read: what its own store keeps. */
    public static Map<String, Projection> of(List<FactPlan> plans) {
        return union(plans, true);
    }

    /**
     * The projection of every table the plans join, through their joins only: what the rows a join passes on need.
     * Smaller than {@link #of} where a fact also reads the table as its root (a dimension's {@code SELECT *}): a change
     * of a column only that fact reads then goes no further than the table and that fact.
     */
    public static Map<String, Projection> joined(List<FactPlan> plans) {
        return union(plans, false);
    }

    /** Per table, the union of what every alias of it reads (roots' aliases too, or joins' only). */
    private static Map<String, Projection> union(List<FactPlan> plans, boolean roots) {
        Map<String, Set<String>> read = new LinkedHashMap<>();
        Set<String> whole = new LinkedHashSet<>();
        for (FactPlan plan : plans) {
            Map<String, Set<String>> byAlias = new LinkedHashMap<>();
            Set<String> wholeAliases = new LinkedHashSet<>();
            aliasReads(plan, byAlias, wholeAliases);
            byAlias.forEach((alias, columns) -> {
                if (!roots && alias.equals(plan.root().alias())) {
                    return;
                }
                String table = plan.table(alias);
                read.computeIfAbsent(table, t -> new LinkedHashSet<>()).addAll(columns);
                if (wholeAliases.contains(alias)) {
                    whole.add(table);
                }
            });
        }
        Map<String, Projection> projections = new LinkedHashMap<>();
        read.forEach((table, columns) -> projections.put(table, whole.contains(table) ? Projection.ALL : Projection.of(columns)));
        return projections;
    }

    /** What each alias of a plan reads: its key, the columns of its ON clauses, select list and WHERE; or all of them. */
    private static void aliasReads(FactPlan plan, Map<String, Set<String>> read, Set<String> whole) {
        Consumer<Expr.Col> reads = c -> read.computeIfAbsent(c.alias(), a -> new LinkedHashSet<>()).add(c.column());
        read.computeIfAbsent(plan.root().alias(), a -> new LinkedHashSet<>()).addAll(plan.rootKey());
        for (FactPlan.Join join : plan.joins()) {
            read.computeIfAbsent(join.alias(), a -> new LinkedHashSet<>()).addAll(join.keyColumns());
            read.computeIfAbsent(join.parentAlias(), a -> new LinkedHashSet<>()).addAll(join.parentColumns());
        }
        for (FactPlan.Item item : plan.items()) {
            if (item instanceof FactPlan.Output o) {
                columns(o.expr(), reads);
            } else if (item instanceof FactPlan.AllOf all) {
                whole.add(all.alias());
            }
        }
        if (plan.where() != null) {
            columns(plan.where(), reads);
        }
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
