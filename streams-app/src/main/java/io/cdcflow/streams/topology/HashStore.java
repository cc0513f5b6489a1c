package io.cdcflow.streams.topology;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A state store in the heap for stores read and written by key only (source tables, joined rows, versions, copies
 * of small tables), in a hash map. Kafka Streams' in-memory store keeps its keys sorted for range queries, and with a
 * backfill's hundreds of thousands of keys its comparisons were a fifth of the stream thread's time; these stores
 * are never scanned, so ranges are refused (an index, which is scanned by prefix, uses the sorted store). Logged
 * like any other store: restored from its changelog at each start. Thread-safe for interactive queries.
 */
final class HashStore implements KeyValueStore<Bytes, byte[]> {
    private final String name;
    private final Map<Bytes, byte[]> rows = new ConcurrentHashMap<>();
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private volatile boolean open;

    private HashStore(String name) {
        this.name = name;
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new HashStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory-hash";
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        this.context = context;
        if (root != null) {
            context.register(root, (BatchingStateRestoreCallback) records -> records.forEach(r -> apply(Bytes.wrap(r.key), r.value)));
        }
        open = true;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public byte[] get(Bytes key) {
        return rows.get(key);
    }

    @Override
    public void put(Bytes key, byte[] value) {
        apply(key, value);
        context.recordMetadata().ifPresent(m -> position.withComponent(m.topic(), m.partition(), m.offset()));
    }

    private void apply(Bytes key, byte[] value) {
        if (value == null) {
            rows.remove(key);
        } else {
            rows.put(key, value);
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] before = rows.get(key);
        if (before == null) {
            put(key, value);
        }
        return before;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] before = rows.get(key);
        put(key, null);
        return before;
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        throw unordered("range");
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        throw unordered("reverseRange");
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        throw unordered("prefixScan");
    }

    private UnsupportedOperationException unordered(String operation) {
        return new UnsupportedOperationException("state store " + name + " keeps its keys unordered (STREAMS_STATE_STORES=memory): no " + operation);
    }

    /** Every row, in no order, as they were when called. */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        List<KeyValue<Bytes, byte[]>> copy = new ArrayList<>(rows.size());
        rows.forEach((k, v) -> copy.add(KeyValue.pair(k, v)));
        Iterator<KeyValue<Bytes, byte[]>> each = copy.iterator();
        return new KeyValueIterator<>() {
            private KeyValue<Bytes, byte[]> next = each.hasNext() ? each.next() : null;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                KeyValue<Bytes, byte[]> current = next;
                next = each.hasNext() ? each.next() : null;
                return current;
            }

            @Override
            public Bytes peekNextKey() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                return next.key;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public long approximateNumEntries() {
        return rows.size();
    }

    @Override
    public void close() {
        rows.clear();
        open = false;
    }
}
