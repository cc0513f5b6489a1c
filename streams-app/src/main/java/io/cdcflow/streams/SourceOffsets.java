package io.cdcflow.streams;

import io.cdcflow.common.ops.Errors;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams-app reads its source topics with the offset reset policy "none": when Kafka deleted changes the
 * application had not processed yet (a topic with a finite retention, a consumer far behind), it stops and says so
 * instead of jumping to the earliest offset left and computing facts without them. "none" also refuses a partition
 * that has no committed offset at all, so before the first start every source partition without one gets its
 * earliest offset committed: a new application still reads each source topic from its beginning.
 */
final class SourceOffsets {
    private static final Logger LOG = LoggerFactory.getLogger(SourceOffsets.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private SourceOffsets() {
    }

    /**
     * Commits the earliest offset of every partition of {@code topics} the group has no committed offset for. A group
     * with live members (another instance runs) cannot be changed from outside; its members committed their
     * partitions already, so nothing is done then.
     */
    static void commitStartWhereMissing(Admin admin, String groupId, Collection<String> topics) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> missing = new HashMap<>();
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).values()) {
                topic.partitions().forEach(p -> {
                    TopicPartition partition = new TopicPartition(topic.name(), p.partition());
                    if (committed.get(partition) == null) {
                        missing.put(partition, OffsetSpec.earliest());
                    }
                });
            }
            if (missing.isEmpty()) {
                return;
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest = admin.listOffsets(missing).all()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            earliest.forEach((partition, info) -> start.put(partition, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(groupId, start).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info("group {} starts {} source partition(s) at their earliest offsets", groupId, start.size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupNotEmptyException) {
                LOG.info("group {} has running members: the source offsets they committed are used", groupId);
                return;
            }
            // a source topic that is missing is reported by Kafka Streams itself, naming the setting
            LOG.warn("could not commit starting offsets for group {}: {}", groupId, Errors.describe(e.getCause()));
        } catch (TimeoutException e) {
            LOG.warn("could not commit starting offsets for group {}: Kafka did not answer within {}", groupId, TIMEOUT);
        }
    }

    /** When {@code e} says a committed source offset no longer exists: the message for /ready and the log; else null. */
    static String outOfRange(Throwable e, String applicationId) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidOffsetException invalid) {
                return "committed offsets of " + invalid.partitions() + " no longer exist in Kafka: changes were deleted by the "
                        + "topics' retention before the streams-app processed them, so it stopped rather than compute facts without "
                        + "them. Re-snapshot the source, or reset the application on purpose (kafka-streams-application-reset.sh "
                        + "--application-id " + applicationId + "), then restart it";
            }
        }
        return null;
    }
}
