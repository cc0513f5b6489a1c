package io.cdcflow.wal.publish;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.kafka.ReadToEnd;
import io.cdcflow.wal.config.WalProducerConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows an earlier snapshot or stream left live in the change topics: per table, every key whose latest event is
 * not a delete. A snapshot taken again (after a lost or dropped slot, a crash mid-snapshot, an operator's request)
 * publishes a delete for each of these keys it no longer finds in the table, so that every consumer drops rows that
 * vanished while nothing streamed; a consumer needs nothing beyond ordinary deletes for that.
 *
 * <p>The deletes carry the snapshot's position as version, numbered after every event already published at that
 * position ({@link #nextSeq}): they win over the rows they delete and lose to any later change the slot streams.
 */
public final class PublishedKeys {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedKeys.class);

    private final String schema;
    private final Lsn position;
    /** Table to its live keys, as the exact bytes of their record keys. */
    private final Map<String, Set<ByteBuffer>> live = new LinkedHashMap<>();
    private long maxSeqAtPosition = -1;
    private long unreadable;

    /**
     * @param tables   the tables whose keys are tracked; events of other tables are ignored
     * @param position the position the new snapshot is versioned at
     */
    public PublishedKeys(String schema, Collection<String> tables, Lsn position) {
        this.schema = schema;
        this.position = position;
        tables.forEach(t -> live.put(t, new HashSet<>()));
    }

    /**
     * Applies one record of a change topic, in its partition's order.
     *
     * @param tables the tracked tables this record's topic carries: a record without value (a tombstone) names no
     *               table, so it removes its key from each of them
     */
    public void apply(byte[] key, byte[] value, Collection<String> tables) {
        if (key == null) {
            return;
        }
        if (value == null) {
            tables.forEach(t -> live.get(t).remove(ByteBuffer.wrap(key)));
            return;
        }
        ChangeEvent event;
        try {
            event = ChangeEventCodec.fromRecord(key, value);
        } catch (RuntimeException e) {
            unreadable++;
            return;
        }
        Set<ByteBuffer> keys = live.get(event.metadata().table());
        if (keys == null || !schema.equals(event.metadata().schema())) {
            return;
        }
        if (event.metadata().commitLsn().equals(position)) {
            maxSeqAtPosition = Math.max(maxSeqAtPosition, event.metadata().seq());
        }
        Operation operation = event.metadata().operation();
        if (operation == Operation.DELETE) {
            keys.remove(ByteBuffer.wrap(key));
        } else if (operation == Operation.TRUNCATE) {
            keys.clear();
        } else {
            keys.add(ByteBuffer.wrap(key));
        }
    }

    /** The live keys of a table; the snapshot removes each key it reads, and what remains has vanished. */
    public Set<ByteBuffer> of(String table) {
        return live.getOrDefault(table, new HashSet<>());
    }

    /** The first sequence number above every event already published at the snapshot's position. */
    public long nextSeq() {
        return maxSeqAtPosition + 1;
    }

    public long unreadable() {
        return unreadable;
    }

    public long size() {
        return live.values().stream().mapToLong(Set::size).sum();
    }

    /**
     * Reads the change topics of {@code tables} from the beginning to their current end. The session holds the
     * slot's lock, so nothing else writes to them meanwhile.
     */
    public static PublishedKeys scan(WalProducerConfig config, List<String> tables, Lsn position) {
        PublishedKeys keys = new PublishedKeys(config.schema(), tables, position);
        Map<String, List<String>> byTopic = new LinkedHashMap<>();
        for (String table : tables) {
            byTopic.computeIfAbsent(config.routing().topicFor(config.schema(), table), t -> new java.util.ArrayList<>()).add(table);
        }
        Map<String, Object> props = new HashMap<>(config.kafkaClient());
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long started = System.nanoTime();
        long[] records = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : byTopic.keySet()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos != null) {
                    infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // what was published before this scan began: a stream running beside a background snapshot adds more
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            ReadToEnd.read(consumer, partitions, ReadToEnd.NO_LIMIT, record -> {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    keys.apply(record.key(), record.value(), byTopic.get(record.topic()));
                    records[0]++;
                }
            });
        }
        if (records[0] > 0) {
            LOG.info("read {} earlier events of {} in {} ms: {} rows live before this snapshot{}", records[0], tables,
                    (System.nanoTime() - started) / 1_000_000, keys.size(),
                    keys.unreadable == 0 ? "" : " (" + keys.unreadable + " records not change events, ignored)");
        }
        return keys;
    }
}
