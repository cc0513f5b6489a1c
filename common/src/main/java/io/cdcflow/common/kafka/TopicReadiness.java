package io.cdcflow.common.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * When new topics can take records. A partition's leader shows in the metadata a moment before it serves, and a
 * record sent in between can sit in the producer until its delivery timeout (seen with Kafka 4.3), so a topic is
 * ready only when every partition answers a leader-only request (list offsets).
 */
public final class TopicReadiness {
    private TopicReadiness() {
    }

    /**
     * Waits until every partition of {@code topics} has a serving leader.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public static boolean awaitServingLeaders(Admin admin, List<String> topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(topics).allTopicNames().get(15, TimeUnit.SECONDS).forEach((name, topic) ->
                        topic.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
                admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }
}
