package io.cdcflow.streams.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;

/**
 * RocksDB stores made cheaper for how the topology uses them, everything else going to the RocksDB store as it is
 * (the transactional commit included):
 * <ul>
 *   <li>No copy of the position for every changelog record. Kafka Streams 4.4's RocksDB store answers
 *   {@code getPosition()} with a copy of its position merged with the uncommitted one (KIP-892), and the
 *   change-logging layer asks for it on every put to pass it to the changelog, where it is used only when the
 *   consistency vectors of interactive queries v2 are enabled (an internal setting this app never sets): a tenth of
 *   the stream thread's time in the join stage.</li>
 *   <li>The row the stream thread touched last is remembered ({@link Store}): a record's key is read and written by
 *   several processors in a row (a source table's {@link ChangedRows} reads it, the KTable reads it again and writes
 *   it, the joins downstream read the rows they come from by the same key), and each read that reaches RocksDB goes
 *   through JNI and the transaction's write batch; in the backfill's profile RocksDB reads were about a sixth of the
 *   stream thread's time.</li>
 * </ul>
 */
public final class RocksStores {
    private RocksStores() {
    }

    /**
     * The RocksDB stores Kafka Streams makes for itself (a foreign-key join's subscriptions), wrapped as {@link #of}
     * wraps ours: without the copy, with the row memo.
     */
    public static final class Dsl extends org.apache.kafka.streams.state.BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers {
        @Override
        public KeyValueBytesStoreSupplier keyValueStore(org.apache.kafka.streams.state.DslKeyValueParams params) {
            return of(super.keyValueStore(params));
        }
    }

    /** {@code supplier}'s stores, without the position copy; timestamped where the supplier's are. */
    static KeyValueBytesStoreSupplier of(KeyValueBytesStoreSupplier supplier) {
        return wrapping(supplier, store -> store instanceof TimestampedBytesStore ? new Timestamped(store) : new Store(store));
    }

    /** {@code supplier}'s stores, each wrapped by {@code wrap}, under the same name and metrics scope. */
    static KeyValueBytesStoreSupplier wrapping(KeyValueBytesStoreSupplier supplier,
                                               java.util.function.UnaryOperator<KeyValueStore<Bytes, byte[]>> wrap) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return supplier.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return wrap.apply(supplier.get());
            }

            @Override
            public String metricsScope() {
                return supplier.metricsScope();
            }
        };
    }

    /**
     * A store answering its position with an empty one, and reads of the key written or read last from memory. Only
     * the thread that writes through this wrapper (the stream thread of the store's task) is served from memory, and
     * only between two commits: restoration writes below the wrapper (an active task's store is restored before it
     * is processed, a standby's on the state updater's thread, and a task moving between the two is committed on the
     * way), interactive queries read on other threads and always from RocksDB, and opening, committing and closing
     * the store forget the row, as do the writes the memo does not follow.
     */
    static class Store extends ForwardingStore {
        /** The thread that wrote last since the last commit (null: none), whose reads the memo serves. */
        private Thread writer;
        /** The key that thread read or wrote last, and its value then (null: none). */
        private Last last;

        private record Last(Bytes key, byte[] value) {
        }

        Store(KeyValueStore<Bytes, byte[]> wrapped) {
            super(wrapped);
        }

        void forget() {
            writer = null;
            last = null;
        }

        @Override
        public Position getPosition() {
            return Position.emptyPosition();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            forget();
            super.init(context, root);
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            forget();
            super.commit(changelogOffsets);
        }

        @Override
        public void close() {
            forget();
            super.close();
        }

        @Override
        public void put(Bytes key, byte[] value) {
            last = null;
            wrapped().put(key, value);
            writer = Thread.currentThread();
            last = new Last(key, value);
        }

        @Override
        public byte[] get(Bytes key) {
            if (Thread.currentThread() != writer) {
                return wrapped().get(key);
            }
            Last remembered = last;
            if (remembered != null && remembered.key.equals(key)) {
                return remembered.value;
            }
            byte[] value = wrapped().get(key);
            last = new Last(key, value);
            return value;
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            last = null;
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            last = null;
            wrapped().putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            last = null;
            return wrapped().delete(key);
        }
    }

    /** The same, for a store of values with timestamps (a KTable's): Kafka Streams then adds no format adapter. */
    static final class Timestamped extends Store implements TimestampedBytesStore {
        Timestamped(KeyValueStore<Bytes, byte[]> wrapped) {
            super(wrapped);
        }
    }
}
