package io.cdcflow.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads assigned partitions from the consumer's positions to their end as of the call: what a topic holds now (a
 * catalog, a state record, the keys published so far), not what arrives later.
 */
public final class ReadToEnd {
    /** For a read that waits as long as it takes. */
    public static final Duration NO_LIMIT = Duration.ofNanos(Long.MAX_VALUE);

    private ReadToEnd() {
    }

    /**
     * Polls until every partition's position reaches its end offset taken at the call, handing each polled record to
     * {@code each}.
     *
     * @return false when {@code timeout} passed first
     */
    public static <K, V> boolean read(Consumer<K, V> consumer, Collection<TopicPartition> partitions, Duration timeout,
                                      java.util.function.Consumer<ConsumerRecord<K, V>> each) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long started = System.nanoTime();
        while (!caughtUp(consumer, end)) {
            if (System.nanoTime() - started > timeout.toNanos()) {
                return false;
            }
            for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(200))) {
                each.accept(record);
            }
        }
        return true;
    }

    private static boolean caughtUp(Consumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
