package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactsException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which joins of each fact are done inside each task from a whole copy of the joined table ({@link LocalJoins}: a
 * small table, broadcast to every task) and which go through Kafka (foreign-key joins, for large tables). Chosen
 * once per fact when its state is first built, and kept by that state ({@code io.cdcflow.streams.JoinPathChoice}).
 */
public final class JoinPaths {
    private final Map<String, List<Integer>> local;
    /** The facts whose joins through Kafka are Kafka Streams' own foreign-key joins: their state was built so. */
    private final Set<String> kafkaStreamsJoins;

    private JoinPaths(Map<String, List<Integer>> local, Set<String> kafkaStreamsJoins) {
        this.local = Map.copyOf(local);
        this.kafkaStreamsJoins = Set.copyOf(kafkaStreamsJoins);
    }

    /** Every join through Kafka. */
    public static JoinPaths foreignKeysOnly() {
        return new JoinPaths(Map.of(), Set.of());
    }

    /** Each fact's joins to the given tables local, where they can be ({@link #candidates}). */
    public static JoinPaths toTables(List<FactPlan> plans, Collection<String> tables) {
        Map<String, List<Integer>> local = new LinkedHashMap<>();
        for (FactPlan plan : plans) {
            local.put(plan.name(), toTables(plan, tables));
        }
        return new JoinPaths(local, Set.of());
    }

    /** The joins of {@code plan} to the given tables that can be local ({@link #candidates}). */
    public static List<Integer> toTables(FactPlan plan, Collection<String> tables) {
        return candidates(plan).stream().filter(j -> tables.contains(plan.joins().get(j).table())).toList();
    }

    /** These paths with {@code plan}'s local joins set to {@code joins}. */
    public JoinPaths with(FactPlan plan, List<Integer> joins) {
        Map<String, List<Integer>> next = new LinkedHashMap<>(local);
        next.put(plan.name(), List.copyOf(joins));
        return new JoinPaths(next, kafkaStreamsJoins);
    }

    /**
     * These paths with {@code plan}'s joins through Kafka done by Kafka Streams' own foreign-key joins (KIP-213), as a
     * state built by an earlier version has them, instead of through subscription topics ({@link ForeignKeyChild}).
     */
    public JoinPaths withKafkaStreamsJoins(FactPlan plan) {
        Set<String> next = new HashSet<>(kafkaStreamsJoins);
        next.add(plan.name());
        return new JoinPaths(local, next);
    }

    /** Whether {@code plan}'s joins through Kafka are Kafka Streams' own foreign-key joins ({@link #withKafkaStreamsJoins}). */
    public boolean kafkaStreamsJoins(FactPlan plan) {
        return kafkaStreamsJoins.contains(plan.name());
    }

    /**
     * Whether any of {@code plans} joins through Kafka Streams' own foreign-key joins, which join KTables: the source
     * tables are then KTables ({@code FactTopology}), none restored from its own topic ({@code SourceStoreChoice}).
     */
    public boolean anyKafkaStreamsJoins(List<FactPlan> plans) {
        return plans.stream().anyMatch(this::kafkaStreamsJoins);
    }

    /** The joins of {@code plan} done inside each task, in plan order; the others go through Kafka, in plan order. */
    public List<Integer> local(FactPlan plan) {
        return local.getOrDefault(plan.name(), List.of());
    }

    /**
     * The joins of a plan that can be done inside each task: those that no other join goes through (a later join's
     * parent must be in the rows the foreign-key joins pass on).
     */
    public static List<Integer> candidates(FactPlan plan) {
        Set<String> parents = new HashSet<>();
        plan.joins().forEach(j -> parents.add(j.parentAlias()));
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < plan.joins().size(); i++) {
            if (!parents.contains(plan.joins().get(i).alias())) {
                candidates.add(i);
            }
        }
        return List.copyOf(candidates);
    }

    /** Which joins of {@code plan} are done where, for logs: "joined inside each task: products (p); through Kafka: orders (o)". */
    public String describe(FactPlan plan) {
        return describe(plan, local(plan));
    }

    /** {@link #describe(FactPlan)} for {@code joins} done inside each task. */
    public static String describe(FactPlan plan, List<Integer> joins) {
        if (plan.joins().isEmpty()) {
            return "no joins";
        }
        if (joins.isEmpty()) {
            return "every join through Kafka";
        }
        List<String> inside = new ArrayList<>();
        List<String> kafka = new ArrayList<>();
        for (int j = 0; j < plan.joins().size(); j++) {
            FactPlan.Join join = plan.joins().get(j);
            (joins.contains(j) ? inside : kafka).add(join.table() + " (" + join.alias() + ")");
        }
        return "joined inside each task: " + String.join(", ", inside) + (kafka.isEmpty() ? "" : "; through Kafka: " + String.join(", ", kafka));
    }

    /**
     * Checks a list of tables to join locally against the facts: a table no fact joins (a typo, a root table) is an
     * error naming the setting and the tables that can be local.
     *
     * @throws FactsException naming the setting and the tables
     */
    public static void checkTables(List<FactPlan> plans, Collection<String> tables, String setting) {
        Set<String> joined = new TreeSet<>();
        plans.forEach(p -> p.joins().forEach(j -> joined.add(j.table())));
        List<String> unknown = tables.stream().filter(t -> !joined.contains(t)).toList();
        if (!unknown.isEmpty()) {
            throw new FactsException(setting + " names " + unknown + ", which no fact joins; the tables the facts join are " + joined);
        }
    }
}
