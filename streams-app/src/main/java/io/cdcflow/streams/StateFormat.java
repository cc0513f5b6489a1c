package io.cdcflow.streams;

import io.cdcflow.common.kafka.ReadToEnd;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.FactTopology;
import io.cdcflow.streams.topology.JoinPaths;
import io.cdcflow.streams.topology.StateCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Before Kafka Streams starts: state an earlier version wrote in another format (JSON text before 2026-11-30, JSON
 * trees as Smile before 2026-12-03) is found in the source tables' changelogs and stops the app with the way out, instead of being misread. Mixing
 * formats would not only fail to read: a foreign-key join's responses carry a hash of the serialized row, so
 * in-flight ones would be dropped as stale and their facts never emitted.
 */
final class StateFormat {
    /** How many of a partition's last records are looked at. */
    private static final int TAIL = 20;

    private StateFormat() {
    }

    /** Thrown when the application's state is in an earlier format. */
    static final class OldStateException extends RuntimeException {
        OldStateException(String message) {
            super(message);
        }
    }

    /**
     * The joins in an earlier layout ({@code existing}: the topics there are; {@code paths}: the joins as this start
     * does them), which the new topics
     * would not carry on from, so the start stops with the way out:
     * <ul>
     *   <li>before 2026-12-05, each copy of a small table had a changelog of its own and its changes came through a
     *   repartition topic, where the copy topic ({@code FactStateNames.copyTopic}) now holds both: the new copy topics
     *   would start empty and the changes still in the repartition topics would be lost;</li>
     *   <li>before 2026-12-06, the index of which fact rows point at which small-table row was a store of its own with
     *   a changelog ({@code <fact>-local-<aliases>-index}), where it is now kept beside the fact's rows and rebuilt with
     *   them ({@code JoinIndexStore}): rows restored from the old state would have no entries, and a change of their
     *   small-table row would not reach them;</li>
     *   <li>before 2026-12-06 too, a join through Kafka stored its joined rows with a changelog
     *   ({@code <fact>-<alias>-joined}), where a star-shaped fact ({@code RowsSoFar.paired}) now keeps each parent row per
     *   pair, restored from the join's answers: the pairs of the rows already joined would be missing, and those rows
     *   would wait for answers never sent.</li>
     * </ul>
     */
    static void checkLayout(String applicationId, Set<String> existing, List<FactPlan> plans, JoinPaths paths) {
        List<String> joined = plans.stream().flatMap(plan -> FactStateNames.earlierJoinTopics(applicationId, plan, paths).stream())
                .filter(existing::contains).sorted().toList();
        if (!joined.isEmpty()) {
            throw new OldStateException("the state of application " + applicationId + " in Kafka (" + String.join(", ", joined)
                    + ") holds the joined rows of joins through Kafka in the layout of an earlier streams-app version, which "
                    + "this one does not read (it keeps each parent row per fact key and parent key instead, restored from "
                    + "the join's answers). Reset the application, and the facts are recomputed from the source topics: "
                    + RESET.formatted(applicationId));
        }
        String prefix = applicationId + "-";
        List<String> copies = existing.stream().filter(t -> t.startsWith(prefix) && t.endsWith("-copy-everywhere-repartition"))
                .sorted().toList();
        if (!copies.isEmpty()) {
            throw new OldStateException("the state of application " + applicationId + " in Kafka (" + String.join(", ", copies)
                    + ") holds the copies of small tables in the layout of an earlier streams-app version, which this one "
                    + "does not read. Reset the application, and the facts are recomputed from the source topics: "
                    + RESET.formatted(applicationId));
        }
        List<String> indexes = existing.stream().filter(t -> t.startsWith(prefix) && t.contains("-local-") && t.endsWith("-index-changelog"))
                .sorted().toList();
        if (!indexes.isEmpty()) {
            throw new OldStateException("the state of application " + applicationId + " in Kafka (" + String.join(", ", indexes)
                    + ") holds the index of the joins inside each task in the layout of an earlier streams-app version, "
                    + "which this one does not read. Reset the application, and the facts are recomputed from the source "
                    + "topics: " + RESET.formatted(applicationId));
        }
    }

    /** The way out of state this version does not read. */
    private static final String RESET = "stop every instance, run kafka-streams-application-reset.sh --bootstrap-server <kafka> "
            + "--application-id %s, delete STREAMS_STATE_DIR on each instance, start again (README, Operations)";

    /** State in an earlier format, in the tails of the source tables' changelogs ({@code existing}: the topics there are). */
    static void checkFormat(Map<String, Object> client, String applicationId, Collection<String> tables, Set<String> existing) {
        List<String> changelogs = tables.stream().map(t -> FactStateNames.changelog(applicationId, FactStateNames.tableStore(t))).toList();
        Map<String, Object> props = new HashMap<>(client);
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : changelogs) {
                if (existing.contains(topic)) {
                    consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
            }
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.max(begin.get(partition), end.get(partition) - TAIL));
            }
            ReadToEnd.read(consumer, partitions, Duration.ofSeconds(15), record -> {
                if (record.value() != null && record.value().length > 0 && !StateCodec.isCurrent(record.value())) {
                    throw new OldStateException("the state of application " + applicationId + " in Kafka (" + record.topic()
                            + ") was written by an earlier streams-app version, in a format this one does not read. Reset "
                            + "the application, and the facts are recomputed from the source topics: " + RESET.formatted(applicationId));
                }
            });
        }
    }
}
