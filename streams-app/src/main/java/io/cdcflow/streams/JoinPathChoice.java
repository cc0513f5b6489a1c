package io.cdcflow.streams;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.FactTopology;
import io.cdcflow.streams.topology.JoinPaths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, at each start, which joins each fact does inside each task ({@link JoinPaths}). A fact whose state exists
 * keeps the paths its state was built with: its rows joined so far are not replayed, so a join switched either way
 * would miss every fact row that does not change again. A fact without state yet takes the tables
 * {@code STREAMS_LOCAL_TABLES} lists, or, when it is not set, the joined tables of at most
 * {@code STREAMS_LOCAL_TABLE_MAX_ROWS} rows (PostgreSQL's estimate published with the schema, else the records in the
 * table's topic): small tables broadcast to every task, large ones through foreign-key joins.
 */
final class JoinPathChoice {
    private static final Logger LOG = LoggerFactory.getLogger(JoinPathChoice.class);

    private JoinPathChoice() {
    }

    /**
     * @param existing the topics in Kafka: a fact has state when its versions' changelog is there
     * @param sources  the source tables' schemas, with PostgreSQL's row estimates
     * @param records  the records in a table's topic now, where the schema has no estimate
     * @throws StateFormat.OldStateException when STREAMS_LOCAL_TABLES asks for other joins than a fact's state has
     */
    static JoinPaths choose(StreamsAppConfig config, List<FactPlan> plans, Set<String> existing, Map<String, RowSchema> sources,
                            ToLongFunction<String> records) {
        Collection<String> small = config.localTables() != null ? config.localTables() : small(config, plans, sources, records);
        JoinPaths paths = JoinPaths.foreignKeysOnly();
        for (FactPlan plan : plans) {
            List<Integer> wanted = JoinPaths.toTables(plan, small);
            List<Integer> built = built(config, plan, existing);
            if (built != null && !built.equals(wanted)) {
                if (config.localTables() != null) {
                    throw new StateFormat.OldStateException("the state of application " + config.applicationId()
                            + " was built with other joins inside each task for fact " + plan.name() + " (state found: "
                            + JoinPaths.describe(plan, built) + "; STREAMS_LOCAL_TABLES="
                            + String.join(",", config.localTables()) + " asks for "
                            + JoinPaths.describe(plan, wanted) + "): which joins are local "
                            + "cannot change on existing state. Set STREAMS_LOCAL_TABLES back (or unset it: the state's "
                            + "choice is kept), or reset the application and the facts are recomputed from the source "
                            + "topics: stop every instance, run kafka-streams-application-reset.sh --bootstrap-server "
                            + "<kafka> --application-id " + config.applicationId() + ", delete STREAMS_STATE_DIR on each "
                            + "instance, start again (README, Operations)");
                }
                wanted = built;
            }
            paths = paths.with(plan, wanted);
            boolean kafkaStreamsJoins = built != null && kafkaStreamsJoins(config.applicationId(), plan, wanted, existing);
            if (kafkaStreamsJoins) {
                paths = paths.withKafkaStreamsJoins(plan);
            }
            LOG.info("fact {}: {}{}{}", plan.name(), paths.describe(plan), built != null ? " (as its state was built)" : "",
                    kafkaStreamsJoins ? "; through Kafka Streams' foreign-key joins, as an earlier version built its state" : "");
        }
        return paths;
    }

    /** The joined tables of at most STREAMS_LOCAL_TABLE_MAX_ROWS rows, each sized once however many facts join it. */
    private static Set<String> small(StreamsAppConfig config, List<FactPlan> plans, Map<String, RowSchema> sources,
                                     ToLongFunction<String> records) {
        Set<String> joined = new TreeSet<>();
        plans.forEach(plan -> JoinPaths.candidates(plan).forEach(j -> joined.add(plan.joins().get(j).table())));
        Set<String> small = new TreeSet<>();
        for (String table : joined) {
            RowSchema schema = sources.get(table);
            long rows = schema != null && schema.estimatedRows() >= 0 ? schema.estimatedRows() : records.applyAsLong(table);
            if (rows >= 0 && rows <= config.localTableMaxRows()) {
                small.add(table);
            } else {
                LOG.info("table {}: about {} rows, over STREAMS_LOCAL_TABLE_MAX_ROWS={}: joined through Kafka", table,
                        rows < 0 ? "an unknown number of" : rows, config.localTableMaxRows());
            }
        }
        return small;
    }

    /**
     * The local joins of {@code plan}'s existing state, or null when it has none yet: the joins whose table's copy topic
     * ({@code FactStateNames.copyTopic}, made when the state was first built) is there.
     */
    private static List<Integer> built(StreamsAppConfig config, FactPlan plan, Set<String> existing) {
        if (!existing.contains(FactStateNames.changelog(config.applicationId(), FactStateNames.versionStore(plan)))) {
            return null;
        }
        List<String> copied = JoinPaths.candidates(plan).stream().map(j -> plan.joins().get(j).table())
                .filter(table -> existing.contains(FactStateNames.copyTopic(config, plan, table))).toList();
        return JoinPaths.toTables(plan, copied);
    }

    /**
     * Whether the state of {@code plan} was built by an earlier version, with Kafka Streams' own foreign-key joins
     * (their subscription topics are there): those keep them, as a restart never changes how a join is done.
     */
    private static boolean kafkaStreamsJoins(String applicationId, FactPlan plan, List<Integer> local, Set<String> existing) {
        for (int i = 0; i < plan.joins().size(); i++) {
            if (!local.contains(i) && existing.contains(applicationId + "-" + FactStateNames.kafkaStreamsJoinName(plan, i)
                    + "-subscription-registration-topic")) {
                return true;
            }
        }
        return false;
    }
}
