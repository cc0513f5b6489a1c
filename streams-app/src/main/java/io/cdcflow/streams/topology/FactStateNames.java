package io.cdcflow.streams.topology;

import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The names of the stores that hold the facts' state and of the topics the app owns, as {@link FactTopology} builds
 * them and the app's start-up reads them (which topics to create, which state an earlier version left, which store
 * answers a query). Each is named after the fact, alias or table, never after a position in the facts file, so a
 * name survives changes elsewhere in the file; the topics are named as internal topics of the application, so the
 * application reset tool deletes them with the rest.
 */
public final class FactStateNames {
    private FactStateNames() {
    }

    /**
     * The store holding a fact's rows by its key, for interactive queries: its root table's, or its last foreign-key
     * join's; the joins done inside each task are not stored ({@link FactTopology#joinLocally} adds them).
     */
    public static String store(FactPlan plan, JoinPaths paths) {
        if (RowsSoFar.paired(plan, paths)) {
            return tableStore(plan.root().table()); // the joined rows are read from it and the pairs: RowsSoFar
        }
        List<Integer> local = paths.local(plan);
        for (int i = plan.joins().size() - 1; i >= 0; i--) {
            if (!local.contains(i)) {
                return joinStore(plan, i);
            }
        }
        return tableStore(plan.root().table());
    }

    /** The store of a task's copy of a small table a fact joins inside each task (its changelog: {@link #copyTopic}). */
    public static String replicaStore(FactPlan plan, String table) {
        return safe(plan.name()) + "-" + safe(table) + "-copies";
    }

    /**
     * The topic of a small table's copies for a fact's local joins: every change of the table's rows the joins read,
     * written to each of its partitions, partitioned as the fact's root topic; the app creates it compacted
     * ({@code OwnTopics}) and each task's copy ({@link #replicaStore}) is restored from its partition, with no changelog
     * of its own. Named as an internal topic of the application, so the application reset tool deletes it.
     */
    public static String copyTopic(StreamsAppConfig config, FactPlan plan, String table) {
        return changelog(config.applicationId(), replicaStore(plan, table));
    }

    /** The store of a table's rows as its joins read them, where those are fewer columns than the table keeps. */
    static String joinedTableStore(String table) {
        return safe(table) + "-joined-columns";
    }

    /**
     * The store of join {@code index}'s parent rows per pair (parent key and fact key) in the paired layout
     * ({@link PairedChild}); its topic, {@link #pairTopic}, restores it.
     */
    public static String pairStore(FactPlan plan, int index) {
        return safe(plan.name()) + "-" + safe(plan.joins().get(index).alias()) + "-parents";
    }

    /**
     * The topic of join {@code index}'s answers in the paired layout: created by the app (compacted, partitioned as the
     * fact's root topic, {@code OwnTopics}) and named as an internal topic of the application, so the application reset
     * tool deletes it.
     */
    public static String pairTopic(StreamsAppConfig config, FactPlan plan, int index) {
        return changelog(config.applicationId(), pairStore(plan, index));
    }

    /**
     * The topics an earlier layout of a fact's joins through Kafka left, which the paired layout does not read: the
     * joined rows' changelogs ({@code <fact>-<alias>-joined}). Empty unless the fact takes the paired layout.
     */
    public static List<String> earlierJoinTopics(String applicationId, FactPlan plan, JoinPaths paths) {
        List<String> topics = new ArrayList<>();
        if (RowsSoFar.paired(plan, paths)) {
            for (int i = 0; i < plan.joins().size(); i++) {
                if (!paths.local(plan).contains(i)) {
                    topics.add(changelog(applicationId, joinStore(plan, i)));
                }
            }
        }
        return topics;
    }

    /**
     * The subscription topic of join {@code index} of {@code plan} through Kafka: created by the app (compacted,
     * partitioned as the joined table's topic, {@code OwnTopics}) and named as an internal topic of the
     * application, so the application reset tool deletes it with the rest.
     */
    public static String subscriptionTopic(StreamsAppConfig config, FactPlan plan, int index) {
        return changelog(config.applicationId(), safe(plan.name()) + "-" + safe(plan.joins().get(index).alias()) + "-subscriptions");
    }

    /**
     * The newest-rows topic of a source table its own topic restores ({@link SourceTopicStore}): the rows a restore
     * from the compacted topic would not rebuild. Created by the app (compacted, partitioned as the table's topic) and
     * named as an internal topic of the application, so the application reset tool deletes it.
     */
    public static String newestTopic(StreamsAppConfig config, String table) {
        return changelog(config.applicationId(), tableStore(table) + "-newest");
    }

    /**
     * The topics the app makes, each with the table whose topic it is partitioned as: the newest-rows topics of the
     * source tables their own topics restore ({@code fromTopics}, the table's), the subscription topics of the joins
     * through Kafka (the joined table's) and the copy topics of the joins inside each task (the fact's root table's).
     */
    public static Map<String, String> ownTopics(StreamsAppConfig config, List<FactPlan> plans, JoinPaths paths, Set<String> fromTopics) {
        Map<String, String> topics = new LinkedHashMap<>();
        new java.util.TreeSet<>(fromTopics).forEach(table -> topics.put(newestTopic(config, table), table));
        for (FactPlan plan : plans) {
            for (int i = 0; i < plan.joins().size(); i++) {
                if (paths.local(plan).contains(i)) {
                    topics.put(copyTopic(config, plan, plan.joins().get(i).table()), plan.root().table());
                } else if (!paths.kafkaStreamsJoins(plan)) { // Kafka Streams' own foreign-key joins make their topics
                    topics.put(subscriptionTopic(config, plan, i), plan.joins().get(i).table());
                    if (RowsSoFar.paired(plan, paths)) {
                        topics.put(pairTopic(config, plan, i), plan.root().table());
                    }
                }
            }
        }
        return topics;
    }

    /** The changelog topic Kafka Streams names for a store of the application (the app's own topics are named so too). */
    public static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /** The store recording, per small table, the snapshot whose end a task's local joins have handled ({@link LocalJoins}). */
    static String scanStore(FactPlan plan) {
        return safe(plan.name()) + "-snapshot-scans";
    }

    /** The store of a fact's versions: it exists once the fact has state. */
    public static String versionStore(FactPlan plan) {
        return safe(plan.name()) + "-versions";
    }

    /** The store of a source table's current rows; its changelog tells which format the app's state is in. */
    public static String tableStore(String table) {
        return safe(table) + "-table";
    }

    /** The name of a Kafka Streams foreign-key join, which its internal topics start with. */
    public static String kafkaStreamsJoinName(FactPlan plan, int index) {
        return safe(plan.name()) + "-" + safe(plan.joins().get(index).alias()) + "-join";
    }

    static String joinStore(FactPlan plan, int index) {
        return safe(plan.name()) + "-" + safe(plan.joins().get(index).alias()) + "-joined";
    }

    /** A fact's, table's or alias's name as store and topic names may spell it. */
    static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
