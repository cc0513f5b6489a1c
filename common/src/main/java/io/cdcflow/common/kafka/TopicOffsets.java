package io.cdcflow.common.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** A topic's offsets by partition, as an admin client reads them. */
public final class TopicOffsets {
    private TopicOffsets() {
    }

    /**
     * The end offset of each partition of {@code topic} now: past every record acknowledged ({@code READ_UNCOMMITTED}),
     * or below any open transaction ({@code READ_COMMITTED}: what a reading task will have read).
     */
    public static Map<Integer, Long> ends(Admin admin, String topic, IsolationLevel isolation)
            throws InterruptedException, ExecutionException, TimeoutException {
        return offsets(admin, topic, partitions(admin, topic), OffsetSpec.latest(), isolation);
    }

    /**
     * The records {@code topic} holds now: its end offsets less its start offsets, summed over its partitions
     * (transaction markers and gaps left by compaction counted: an upper bound).
     */
    public static long records(Admin admin, String topic) throws InterruptedException, ExecutionException, TimeoutException {
        int partitions = partitions(admin, topic);
        long ends = sum(offsets(admin, topic, partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED));
        long starts = sum(offsets(admin, topic, partitions, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED));
        return ends - starts;
    }

    private static int partitions(Admin admin, String topic) throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
    }

    private static Map<Integer, Long> offsets(Admin admin, String topic, int partitions, OffsetSpec spec, IsolationLevel isolation)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            query.put(new TopicPartition(topic, p), spec);
        }
        Map<Integer, Long> offsets = new TreeMap<>();
        admin.listOffsets(query, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> offsets.put(partition.partition(), info.offset()));
        return offsets;
    }

    private static long sum(Map<Integer, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
