package io.cdcflow.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads topics from the beginning, for assertions on what a deployable published. */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    public TopicReader(KafkaEndpoint kafka, Collection<String> topics) {
        consumer = new KafkaConsumer<>(kafka.consumerProperties());
        consumer.subscribe(topics);
    }

    /**
     * Polls until {@code done} holds for everything read so far, or the timeout passes; returns all records read.
     * The condition is checked only when a poll brings nothing new, so an expensive check does not slow reading.
     */
    public List<ConsumerRecord<byte[], byte[]>> readUntil(Duration timeout, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int before = records.size();
            consumer.poll(Duration.ofMillis(250)).forEach(records::add);
            if (records.size() == before && done.test(records)) {
                break;
            }
        }
        return List.copyOf(records);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
