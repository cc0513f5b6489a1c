package io.cdcflow.streams.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The records of a foreign-key join's subscription topic: keyed by the parent's key and the fact's key (the parent's
 * key first, so the parent side finds a parent row's subscribers by prefix), with a one-byte value while the fact row
 * points at the parent row and a tombstone once it no longer does. The topic is compacted and is also the parent
 * side's store's changelog: one record per subscription, where Kafka Streams' foreign-key join writes a subscription
 * and then its store's changelog record.
 */
final class ForeignKeySubscriptions {
    /** Separates the parent's key from the fact's key; JSON text never holds a raw NUL. */
    static final char SEP = '\0';
    /** The value of a subscription: its format byte, never confused with a tombstone. */
    static final byte[] SUBSCRIBED = {(byte) 0xC8};

    private ForeignKeySubscriptions() {
    }

    static String key(String foreignKey, String child) {
        return foreignKey + SEP + child;
    }

    /** The prefix of every subscription to the parent row of key {@code foreignKey}. */
    static String prefix(String foreignKey) {
        return foreignKey + SEP;
    }

    static String foreignKey(String key) {
        return key.substring(0, key.indexOf(SEP));
    }

    static String child(String key) {
        return key.substring(key.indexOf(SEP) + 1);
    }

    /**
     * Puts a subscription in the partition of its parent row's topic that holds the parent row: the partition Kafka's
     * default partitioner gives the parent's key, as the wal-producer writes it.
     */
    static final class ByForeignKey implements StreamPartitioner<String, byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, byte[] value, int numPartitions) {
            byte[] parentKey = foreignKey(key).getBytes(StandardCharsets.UTF_8);
            return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(parentKey)) % numPartitions));
        }
    }

    /**
     * Puts a pair's record (paired layout: {@link PairedChild}) in the partition of the fact's root topic that holds the
     * fact's key: the partition Kafka's default partitioner gives the fact's key.
     */
    static final class ByChild<V> implements StreamPartitioner<String, V> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
            byte[] child = child(key).getBytes(StandardCharsets.UTF_8);
            return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(child)) % numPartitions));
        }
    }
}
