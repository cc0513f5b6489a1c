package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.Column;
import java.util.List;
import java.util.stream.Collectors;

/** A plan in words, for the log and {@code --check}: tables, joins, key, output columns and their types. */
public final class FactPlans {
    private FactPlans() {
    }

    /** One line: {@code orders o LEFT JOIN customers c ON o.customer_id = c.id; key order_id}. */
    public static String describe(FactPlan plan) {
        StringBuilder s = new StringBuilder(plan.root().table()).append(' ').append(plan.root().alias());
        for (FactPlan.Join j : plan.joins()) {
            s.append(j.inner() ? " JOIN " : " LEFT JOIN ").append(j.table()).append(' ').append(j.alias()).append(" ON ").append(on(j));
        }
        if (plan.where() != null) {
            s.append(" WHERE ...");
        }
        return s.append("; key ").append(String.join(", ", plan.key())).toString();
    }

    private static String on(FactPlan.Join j) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < j.keyColumns().size(); i++) {
            s.append(i > 0 ? " AND " : "").append(j.parentAlias()).append('.').append(j.parentColumns().get(i))
                    .append(" = ").append(j.alias()).append('.').append(j.keyColumns().get(i));
        }
        return s.toString();
    }

    /** Several lines per fact: its joins, key and every output column with its type and NOT NULL. */
    public static String report(List<FactPlan> plans) {
        StringBuilder s = new StringBuilder();
        for (FactPlan plan : plans) {
            if (!s.isEmpty()) {
                s.append('\n');
            }
            s.append("fact ").append(plan.name()).append(" (topic ").append(plan.name()).append(")\n");
            s.append("  from   ").append(plan.root().table()).append(" ").append(plan.root().alias())
                    .append(", key ").append(plan.rootKey()).append('\n');
            for (FactPlan.Join j : plan.joins()) {
                s.append("  join   ").append(j.inner() ? "INNER " : "LEFT ").append(j.table()).append(' ').append(j.alias())
                        .append(" ON ").append(on(j)).append(" (its primary key)\n");
            }
            if (plan.where() != null) {
                s.append("  where  rows for which it is not true are deleted\n");
            }
            s.append("  key    ").append(plan.key()).append('\n');
            s.append("  columns\n");
            int width = plan.columns().stream().mapToInt(c -> c.name().length()).max().orElse(0);
            for (Column c : plan.columns()) {
                s.append("    ").append(String.format("%-" + width + "s", c.name())).append("  ").append(c.type().display())
                        .append(c.notNull() ? " NOT NULL" : "").append('\n');
            }
            boolean follows = plan.items().stream().anyMatch(i -> i instanceof FactPlan.AllOf);
            if (follows) {
                s.append("  (").append(plan.items().stream().filter(i -> i instanceof FactPlan.AllOf)
                        .map(i -> ((FactPlan.AllOf) i).alias() + ".*").collect(Collectors.joining(", ")))
                        .append(" follows columns added to the table later)\n");
            }
        }
        return s.toString();
    }
}
