package io.cdcflow.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;
import io.cdcflow.streams.config.StreamsAppConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics the app owns, made before Kafka Streams starts (Kafka Streams reads them as source topics, which it does
 * not create): the subscription topics of the joins through Kafka and the copy topics of the joins inside each task
 * ({@code FactStateNames.ownTopics}). Compacted, since each is also the changelog of a store (a join's subscriptions, a
 * task's copy of a small table), and with as many partitions as the topic of the table whose partitions it follows.
 * One left by an earlier start is kept; one with another partition count than that topic stops the start, naming both.
 */
final class OwnTopics {
    private static final Logger LOG = LoggerFactory.getLogger(OwnTopics.class);
    private static final long TIMEOUT_SECONDS = 60;

    private OwnTopics() {
    }

    /**
     * @param topics     each topic with the table whose topic it is partitioned as
     * @param partitions the partitions of a table's topic
     */
    static void create(Admin admin, StreamsAppConfig config, Map<String, String> topics, ToIntFunction<String> partitions)
            throws InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, String> tableTopics = new HashMap<>();
        Map<String, Integer> expected = new HashMap<>();
        topics.forEach((topic, table) -> {
            tableTopics.put(topic, config.inputTopic(table));
            expected.put(topic, partitions.applyAsInt(config.inputTopic(table)));
        });
        try {
            List<NewTopic> created = new ArrayList<>();
            expected.forEach((topic, count) -> created.add(new NewTopic(topic, Optional.of(count), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
            admin.createTopics(created).values().forEach((topic, result) -> {
                try {
                    result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    LOG.info("created topic {} ({} partitions, as {})", topic, expected.get(topic), tableTopics.get(topic));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create the topic " + topic + ": " + e.getCause().getMessage(), e);
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("cannot create the topic " + topic + " in " + TIMEOUT_SECONDS + " s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted creating the topic " + topic, e);
                }
            });
            Map<String, TopicDescription> existing = describe(admin, List.copyOf(topics.keySet()));
            existing.forEach((topic, description) -> {
                if (description.partitions().size() != expected.get(topic)) {
                    throw new IllegalStateException("the topic " + topic + " has " + description.partitions().size()
                            + " partitions and the topic it is partitioned as, " + tableTopics.get(topic) + ", has " + expected.get(topic)
                            + ": a join's subscriptions and a small table's copies must follow that topic's partitions. Reset the application "
                            + "(kafka-streams-application-reset.sh --bootstrap-server <kafka> --application-id "
                            + config.applicationId() + " deletes it; README, Operations)");
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot make the topics " + topics.keySet() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The facts' snapshot topic ({@code STREAMS_FACTS_SNAPSHOT_TOPIC}), one partition, when no wal-producer made it yet:
     * Kafka Streams does not start on a source topic that does not exist.
     */
    static void createFactsSnapshot(Admin admin, String topic) throws InterruptedException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(io.cdcflow.common.kafka.FactsExport.TOPIC_CONFIG))).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("created topic {} (1 partition): the facts' snapshot topic", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the topic " + topic + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create the topic " + topic + " in " + TIMEOUT_SECONDS + " s", e);
        }
        try {
            describe(admin, List.of(topic));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the topic " + topic + " is not known to the broker: " + e.getMessage(), e);
        }
    }

    /**
     * The topics' descriptions, once the broker knows them: a topic just created may not be in the broker's metadata
     * yet (it answers "unknown topic" for a moment after the controller made it), so that answer is asked again.
     */
    private static Map<String, TopicDescription> describe(Admin admin, List<String> topics)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
