package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The store of a fact's rows joined so far (its root table's, or its last foreign-key join's) holding, beside the rows,
 * the index of its joins inside each task ({@link LocalJoins}): which fact keys point at which small-table row. The
 * index is a function of the rows, so it needs no changelog of its own: its entries are written below the
 * change-logging layer (the store's changelog, or the source topic that restores it, carries only rows), by
 * {@link LocalJoins} while processing, and by this store for each row restored (an active task's restore, a standby's
 * or a warm-up replica's updates alike: {@link Restoring}), in the same batch as the row. Whatever brings a row back
 * brings its entries, in the same RocksDB write and the same transaction; a row restored in an older version adds the
 * entries of where it pointed then, which the lazy cleanup removes as it removes any other ({@link LocalJoins}).
 *
 * <p>Entries are keyed by a NUL byte, the fact, the join, the small-table row's key and the fact key, separated by NUL
 * bytes: no row key starts with NUL (the wal-producer's keys are JSON objects, and JSON text holds no raw NUL), and the
 * store's iterators (interactive queries) start after the entries; its count of entries counts both. Values of rows
 * are Kafka Streams' timestamp then the row ({@link StateCodec}); an entry's value is empty.
 */
final class JoinIndexStore extends ForwardingStore implements TimestampedBytesStore {
    private static final char SEP = '\0';
    private static final int TIMESTAMP = Long.BYTES;
    private static final byte[] ENTRY = new byte[0];
    /** The first key after every entry: row keys start with another byte than NUL. */
    private static final Bytes FIRST_ROW = Bytes.wrap(new byte[] {1});
    private static final StringSerializer PREFIX = new StringSerializer();

    /** A fact whose rows joined so far this store holds, and its joins inside each task. */
    record Indexed(FactPlan plan, List<Integer> local) {
    }

    private final List<Indexed> facts;
    private final Deserializer<SourceRow> sourceRows = StateCodec.sourceRows().deserializer();
    private final Deserializer<JoinedRows> joinedRows = StateCodec.joinedRows().deserializer();
    /** The wrapped store's rows without the entries, for this store's iterators. */
    private final RowsOnly rows;

    private JoinIndexStore(KeyValueStore<Bytes, byte[]> wrapped, List<Indexed> facts) {
        super(wrapped);
        this.facts = List.copyOf(facts);
        this.rows = new RowsOnly(wrapped);
    }

    /** {@code supplier}'s stores, each holding the index of {@code facts}' joins inside each task beside its rows. */
    static KeyValueBytesStoreSupplier of(KeyValueBytesStoreSupplier supplier, List<Indexed> facts) {
        return RocksStores.wrapping(supplier, store -> new JoinIndexStore(store, facts));
    }

    /** The index store below {@code store} (a processor's view of the store of a fact's rows joined so far). */
    static JoinIndexStore in(StateStore store) {
        JoinIndexStore index = store instanceof WrappedStateStore<?, ?, ?> wrapped ? wrapped.findInner(JoinIndexStore.class) : null;
        if (index == null) {
            throw new IllegalStateException("store " + store.name() + " holds no index of joins inside each task (" + store.getClass() + ")");
        }
        return index;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        super.init(Restoring.through(context, this::indexing), root);
    }

    /**
     * Adds the entry saying that {@code key}'s row points at {@code foreignKey} through join {@code join} of {@code fact}.
     * Written whether or not it is there: with no changelog behind it, a write costs less than the read that would tell
     * (a RocksDB read was 3.8 % of the stream thread's time in the join stage, where most entries are new).
     */
    void add(String fact, int join, String foreignKey, String key) {
        wrapped().put(entry(fact, join, foreignKey, key), ENTRY);
    }

    /** The fact keys indexed as pointing at {@code foreignKey} through join {@code join} of {@code fact}. */
    List<String> pointing(String fact, int join, String foreignKey) {
        String prefix = prefix(fact, join, foreignKey);
        int skip = prefix.getBytes(StandardCharsets.UTF_8).length;
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> entries = wrapped().prefixScan(prefix, PREFIX)) {
            while (entries.hasNext()) {
                byte[] entry = entries.next().key.get();
                keys.add(new String(entry, skip, entry.length - skip, StandardCharsets.UTF_8));
            }
        }
        return keys;
    }

    void remove(String fact, int join, String foreignKey, String key) {
        wrapped().delete(entry(fact, join, foreignKey, key));
    }

    /** Every entry of {@code fact}, as (join, small-table row key, fact key) joined by NUL, in key order: for tests. */
    List<String> entries(String fact) {
        List<String> entries = new ArrayList<>();
        String prefix = SEP + fact + SEP;
        try (KeyValueIterator<Bytes, byte[]> all = wrapped().prefixScan(prefix, PREFIX)) {
            all.forEachRemaining(e -> entries.add(new String(e.key.get(), StandardCharsets.UTF_8).substring(prefix.length())));
        }
        return entries;
    }

    private static String prefix(String fact, int join, String foreignKey) {
        return SEP + fact + SEP + join + SEP + foreignKey + SEP;
    }

    private static Bytes entry(String fact, int join, String foreignKey, String key) {
        return Bytes.wrap((prefix(fact, join, foreignKey) + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The restore callback of the inner store, given each restored row's entries in the same batch. */
    private RecordBatchingStateRestoreCallback indexing(RecordBatchingStateRestoreCallback inner) {
        return records -> {
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.size() * 2);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                batch.add(record);
                if (record.key() == null || record.value() == null) {
                    continue;
                }
                String key = new String(record.key(), StandardCharsets.UTF_8);
                Object stored = stored(key, record.value());
                for (Indexed fact : facts) {
                    JoinedRows joined = LocalJoins.rows(fact.plan(), stored);
                    for (int j : fact.local()) {
                        String foreignKey = LocalJoins.foreignKey(fact.plan(), joined, j);
                        if (foreignKey != null) {
                            byte[] entry = entry(fact.plan().name(), j, foreignKey, key).get();
                            batch.add(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                                    record.timestampType(), entry.length, ENTRY.length, entry, ENTRY, record.headers(),
                                    record.leaderEpoch()));
                        }
                    }
                }
            }
            inner.restoreBatch(batch);
        };
    }

    /** A restored value (Kafka Streams' timestamp, then a source row or joined rows) as the row or rows it holds. */
    private Object stored(String key, byte[] value) {
        byte[] row = Arrays.copyOfRange(value, TIMESTAMP, value.length);
        try {
            return row.length > 0 && row[0] == StateCodec.JOINED_ROWS ? joinedRows.deserialize(null, row) : sourceRows.deserialize(null, row);
        } catch (RuntimeException e) {
            throw new IllegalStateException("store " + name() + " restored a value for key " + key + " that is not a row: " + e.getMessage(), e);
        }
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return rows.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return rows.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return rows.all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return rows.reverseAll();
    }

    /** The inner store's view at {@code isolationLevel} (interactive queries), its iterators starting after the entries too. */
    @Override
    public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel isolationLevel) {
        return new RowsOnly(wrapped().readOnly(isolationLevel));
    }

    /** A view of a store of rows and entries whose iterators start after the entries; reads of single keys as they are. */
    private record RowsOnly(ReadOnlyKeyValueStore<Bytes, byte[]> store) implements ReadOnlyKeyValueStore<Bytes, byte[]> {
        @Override
        public byte[] get(Bytes key) {
            return store.get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return store.range(rowsFrom(from), to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return store.reverseRange(rowsFrom(from), to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return store.range(FIRST_ROW, null);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return store.reverseRange(FIRST_ROW, null);
        }

        private static Bytes rowsFrom(Bytes from) {
            return from == null || from.compareTo(FIRST_ROW) < 0 ? FIRST_ROW : from;
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
            return store.prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public long approximateNumEntries() {
            return store.approximateNumEntries();
        }
    }
}
