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
        int count = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < count; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new TreeMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition.partition(), info.offset()));
        return ends;
    }
}
