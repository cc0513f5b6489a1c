package io.cdcflow.streams;

import io.cdcflow.common.kafka.TopicOffsets;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the streams-app reads of Kafka's topics before it builds its topology: the topics there (which of the
 * application's state exists), a topic's configuration (whether its topic can restore a source table's store), the
 * records a topic holds (a table's size, for the join path), the partitions of the topics the app's own follow.
 */
final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {
    }

    /**
     * The partitions of the root topics of facts with joins (a local join's small tables are copied to each, a
     * subscription join's responses come back to them) and of the tables whose topics the app's own topics follow
     * ({@code own}); empty when there are none. Fails when one of these topics is not there yet: the copies, responses,
     * subscriptions and newest rows must match its partitions.
     */
    static java.util.function.ToIntFunction<String> partitionCounts(Admin admin, StreamsAppConfig config, List<FactPlan> plans,
                                                                    Map<String, String> own) throws InterruptedException {
        Set<String> roots = new java.util.LinkedHashSet<>();
        plans.stream().filter(p -> !p.joins().isEmpty()).forEach(p -> roots.add(config.inputTopic(p.root().table())));
        own.values().forEach(table -> roots.add(config.inputTopic(table)));
        if (roots.isEmpty()) {
            return topic -> {
                throw new IllegalStateException("no fact joins a table");
            };
        }
        Map<String, Integer> counts = new HashMap<>();
        try {
            admin.describeTopics(roots).allTopicNames().get(60, TimeUnit.SECONDS)
                    .forEach((topic, description) -> counts.put(topic, description.partitions().size()));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the partitions of " + roots + " (the root topics of facts that "
                    + "join tables, and the topics of tables joined through Kafka): " + e.getMessage(), e);
        }
        return counts::get;
    }

    /** A topic's configuration, empty when it cannot be read (the choice that needs it then takes the safe way). */
    static Map<String, String> config(Admin admin, String topic) {
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        try {
            Map<String, String> configs = new HashMap<>();
            admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).entries()
                    .forEach(entry -> configs.put(entry.name(), entry.value()));
            return configs;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot read the configuration of topic {}: {}", topic, e.getMessage());
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** The topics in Kafka: which of the application's state exists. */
    static Set<String> names(Admin admin) throws InterruptedException {
        try {
            return admin.listTopics().names().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the topics in Kafka to find the application's existing state: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The records in a topic now (its end offsets less its start offsets: transaction markers and compacted gaps
     * counted), or -1 when they cannot be read.
     */
    static long records(Admin admin, String topic) {
        try {
            return TopicOffsets.records(admin, topic);
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
