package io.cdcflow.bench;

import io.cdcflow.testsupport.KafkaEndpoint;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/**
 * A consumer group's committed offsets, summed by topic, printed every 10 s until interrupted: where a Kafka Streams
 * application stands in each topic it reads (its sources and its own join topics) while a stage runs. A topic whose
 * count trails the others is read late; the backfill's copies of the small tables were found so.
 */
final class GroupProgress {
    private static final long EVERY_MILLIS = 10_000;

    private GroupProgress() {
    }

    static void print(KafkaEndpoint kafka, String group, long startedNanos) throws Exception {
        try (Admin admin = kafka.admin()) {
            while (true) {
                Thread.sleep(EVERY_MILLIS);
                Map<String, Long> byTopic = new TreeMap<>();
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                        .forEach((tp, offset) -> byTopic.merge(tp.topic().replace(group + "-", ""), offset.offset(), Long::sum));
                System.out.printf("[bench]   at %.0f s %s has read: %s%n", (System.nanoTime() - startedNanos) / 1e9, group,
                        byTopic.isEmpty() ? "nothing yet" : byTopic.entrySet().stream()
                                .map(e -> String.format("%s %,d", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
            }
        } catch (InterruptedException e) {
            // the stage is over: interrupted while asleep or while asking the group, it stops quietly
        }
    }

    /**
     * Whether {@code group} has committed, in every partition of {@code topics}, the topic's end offset (an
     * exactly-once group's last offset may be a transaction marker it never reads: one short counts as the end).
     */
    static boolean caughtUp(Admin admin, String group, java.util.Collection<String> topics) throws Exception {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) -> description.partitions()
                .forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest())));
        for (var end : admin.listOffsets(latest).all().get().entrySet()) {
            var at = committed.get(end.getKey());
            long position = at == null ? 0 : at.offset();
            if (end.getValue().offset() > 0 && position < end.getValue().offset() - 1) {
                return false;
            }
        }
        return true;
    }
}
