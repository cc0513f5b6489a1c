package io.cdcflow.streams.topology;

import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * RocksDB stores that do not copy their position for every changelog record. Kafka Streams 4.4's RocksDB store
 * answers {@code getPosition()} with a copy of its position merged with the uncommitted one (KIP-892), and the
 * change-logging layer asks for it on every put to pass it to the changelog, where it is used only when the
 * consistency vectors of interactive queries v2 are enabled (an internal setting this app never sets): a tenth of
 * the stream thread's time in the join stage. Everything else, the transactional commit included, goes to the
 * RocksDB store as it is.
 */
public final class UnpositionedStores {
    private UnpositionedStores() {
    }

    /** The RocksDB stores Kafka Streams makes for itself (a foreign-key join's subscriptions), without the copy. */
    public static final class Dsl extends org.apache.kafka.streams.state.BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers {
        @Override
        public KeyValueBytesStoreSupplier keyValueStore(org.apache.kafka.streams.state.DslKeyValueParams params) {
            return of(super.keyValueStore(params));
        }
    }

    /** {@code supplier}'s stores, without the position copy; timestamped where the supplier's are. */
    static KeyValueBytesStoreSupplier of(KeyValueBytesStoreSupplier supplier) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return supplier.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                KeyValueStore<Bytes, byte[]> store = supplier.get();
                return store instanceof TimestampedBytesStore ? new Timestamped(store) : new Store(store);
            }

            @Override
            public String metricsScope() {
                return supplier.metricsScope();
            }
        };
    }

    /** A store answering its position with an empty one, and everything else as the store it wraps. */
    static class Store extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]> implements KeyValueStore<Bytes, byte[]> {
        Store(KeyValueStore<Bytes, byte[]> wrapped) {
            super(wrapped);
        }

        @Override
        public Position getPosition() {
            return Position.emptyPosition();
        }

        @Override
        public void put(Bytes key, byte[] value) {
            wrapped().put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            wrapped().putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            return wrapped().delete(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return wrapped().get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return wrapped().range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return wrapped().reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return wrapped().all();
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return wrapped().reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
            return wrapped().prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }

        @Override
        public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel isolationLevel) {
            return wrapped().readOnly(isolationLevel);
        }
    }

    /** The same, for a store of values with timestamps (a KTable's): Kafka Streams then adds no format adapter. */
    static final class Timestamped extends Store implements TimestampedBytesStore {
        Timestamped(KeyValueStore<Bytes, byte[]> wrapped) {
            super(wrapped);
        }
    }
}
