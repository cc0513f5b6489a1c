package io.cdcflow.streams;

import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.JoinPaths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, at each start, the source tables whose stores their own topics restore, with no changelog of their own
 * ({@code SourceTopicStore}): a changelog record less per source change. A table qualifies when its topic holds the
 * newest change of every row for good (compacted, the wal-producer's default, or never deleted). Only under
 * exactly-once and with a topic per table, and not where an earlier version's foreign-key joins (KIP-213) read the
 * tables. A table keeps the layout its state was built with: its changelog there means a changelog, a fact reading it
 * with state and no changelog means its topic (a store switched either way would lose its rows).
 */
final class SourceStoreChoice {
    private static final Logger LOG = LoggerFactory.getLogger(SourceStoreChoice.class);

    private SourceStoreChoice() {
    }

    /**
     * @param existing     the topics in Kafka: which of the application's state exists
     * @param topicConfigs a topic's configuration ({@code cleanup.policy}, {@code retention.*}); empty when unknown
     */
    static Set<String> choose(StreamsAppConfig config, List<FactPlan> plans, JoinPaths paths, Set<String> existing,
                              Function<String, Map<String, String>> topicConfigs) {
        Set<String> fromTopics = new TreeSet<>();
        Set<String> tables = new TreeSet<>();
        plans.forEach(plan -> tables.addAll(plan.tables()));
        boolean possible = config.exactlyOnce()
                && config.singleInputTopic() == null && !paths.anyKafkaStreamsJoins(plans);
        for (String table : tables) {
            String topic = config.inputTopic(table);
            if (existing.contains(FactStateNames.changelog(config.applicationId(), FactStateNames.tableStore(table)))) {
                LOG.info("table {}: store logged to its changelog, as its state was built", table);
                continue;
            }
            boolean built = plans.stream().anyMatch(plan -> plan.tables().contains(table)
                    && existing.contains(FactStateNames.changelog(config.applicationId(), FactStateNames.versionStore(plan))));
            if (!possible) {
                if (built) {
                    throw new StateFormat.OldStateException("the state of application " + config.applicationId() + " restores "
                            + "the store of table " + table + " from topic " + topic + " (built under exactly_once_v2 with a "
                            + "topic per table), which STREAMS_PROCESSING_GUARANTEE=" + config.processingGuarantee()
                            + (config.singleInputTopic() != null ? " with STREAMS_INPUT_TOPIC=" + config.singleInputTopic() : "")
                            + " cannot keep: set them back, or reset the application and the facts are recomputed from the "
                            + "source topics: stop every instance, run kafka-streams-application-reset.sh --bootstrap-server "
                            + "<kafka> --application-id " + config.applicationId() + ", delete STREAMS_STATE_DIR on each "
                            + "instance, start again (README, Operations)");
                }
                continue;
            }
            Optional<String> against = Optional.ofNullable(keepsEverything(topic, topicConfigs.apply(topic)));
            if (built && against.isPresent()) {
                LOG.warn("table {}: store restored from topic {} as its state was built, although {}; reset the "
                        + "application to give it a changelog (README, Operations)", table, topic, against.get());
            }
            if (built || against.isEmpty()) {
                fromTopics.add(table);
                LOG.info("table {}: store restored from topic {}, no changelog", table, topic);
            } else {
                LOG.info("table {}: store logged to a changelog: {}", table, against.get());
            }
        }
        return fromTopics;
    }

    /** Why topic {@code topic} does not keep the newest change of every row for good, or null when it does. */
    static String keepsEverything(String topic, Map<String, String> configs) {
        String policy = configs.get("cleanup.policy");
        if (policy == null) {
            return "the configuration of topic " + topic + " is unknown";
        }
        if (policy.equals("compact")) {
            return null;
        }
        if (policy.equals("delete") && "-1".equals(configs.get("retention.ms")) && "-1".equals(configs.get("retention.bytes"))) {
            return null;
        }
        return "topic " + topic + " deletes changes (cleanup.policy=" + policy + ", retention.ms=" + configs.get("retention.ms")
                + ", retention.bytes=" + configs.get("retention.bytes") + ")";
    }
}
