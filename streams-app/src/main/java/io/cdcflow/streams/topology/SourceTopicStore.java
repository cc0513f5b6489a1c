package io.cdcflow.streams.topology;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.kafka.ReadToEnd;
import io.cdcflow.streams.model.Projection;
import io.cdcflow.streams.model.SourceRow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The store of a source table whose own topic restores it, with no changelog: the topic is read straight into it
 * ({@link TopicRestoredStore}, the store's changelog being that topic) and this store applies each change event
 * it is given to the row it holds ({@link SourceRow#apply}: projection, duplicates and stale re-deliveries, unchanged
 * TOASTed columns, deletes kept as marked rows), whether the event comes from processing or from restoring the topic,
 * so both build the same rows. What the last write did ({@link Applied}) is read by {@link Changes}, the processor
 * after the store's writer, which passes on only the rows that changed and sends what cannot be parsed to the dead-letter
 * topic. Values in this store are this app's binary rows ({@link StateCodec}) behind Kafka Streams' timestamp; the
 * values on their way in are the topic's raw bytes ({@link #values}).
 *
 * <p>A compacted topic keeps the last record of each key, and restoring folds what it kept. Two rows processing built
 * are not rebuilt so: a row whose topic received a stale event after the newest one (a snapshot's row written after a
 * change streamed during the snapshot; compaction may keep only the stale one), and a row whose newest event left out
 * an unchanged TOASTed column the store filled from the row before (compaction may drop the event that carried it).
 * For those, {@link Changes} writes the row to the table's newest-rows topic ({@code FactStateNames.newestTopic}, the app's,
 * compacted), and a restore reads that topic first and folds each key's events onto the newer of its row and the
 * newest-rows topic's: the same rows as processing built, whatever compaction kept.
 *
 * <p>Restoring goes below every wrapper: the inner store registers its restore callback with Kafka Streams, and this
 * store wraps that callback ({@link Restoring}) in one that applies the topic's events first.
 */
final class SourceTopicStore extends RocksStores.Store implements TimestampedBytesStore {
    private static final int TIMESTAMP = Long.BYTES;
    private final ParseEvents parser;
    private final Projection projection;
    /** The table's newest-rows topic, read when a restore starts. */
    private final String newestTopic;
    private Map<String, Object> appConfigs;
    /** The newest-rows topic's rows by key, while a restore runs (null: not read yet). */
    private Map<Bytes, SourceRow> newest;
    private final Serializer<SourceRow> encoder = StateCodec.sourceRows().serializer();
    private final Deserializer<SourceRow> decoder = StateCodec.sourceRows().deserializer();
    /** What the last write through {@link #put} did, for {@link Changes}. */
    private Applied applied;

    /**
     * What one change event did to its row.
     *
     * @param before the row before (null: none)
     * @param after  the row after: {@code before} itself when nothing changed or the event failed
     * @param newest the row for the newest-rows topic (null: none), where a restore from the compacted topic would not
     *               rebuild the row processing holds
     * @param error  why the event cannot be processed, null when it could
     * @param raw    the record's value, for the dead-letter topic
     */
    record Applied(String key, SourceRow before, SourceRow after, SourceRow newest, String error, byte[] raw) {
    }

    private SourceTopicStore(KeyValueStore<Bytes, byte[]> wrapped, ParseEvents parser, Projection projection, String newestTopic) {
        super(wrapped);
        this.parser = parser;
        this.projection = projection;
        this.newestTopic = newestTopic;
    }

    /**
     * The stores of {@code supplier} (unwrapped: no other memo), applying change events of {@code table}, restored
     * with the rows of {@code newestTopic}.
     */
    static KeyValueBytesStoreSupplier of(KeyValueBytesStoreSupplier supplier, String table, Projection projection, String newestTopic) {
        return RocksStores.wrapping(supplier,
                store -> new SourceTopicStore(store, new ParseEvents(Set.of(table), null, null), projection, newestTopic));
    }

    /**
     * The values of the topic and the store (Kafka Streams reads both with the one serde): the topic's raw bytes on
     * the way in, which the store applies, and the store's rows on the way out, so every processor reading the store
     * by name reads {@link SourceRow}s. Told apart by their first byte: a row's format byte ({@link StateCodec}) is
     * never the first byte of JSON text; bytes that only start like a row are passed on raw, and fail as events.
     */
    static Serde<Object> values() {
        Serializer<SourceRow> rows = StateCodec.sourceRows().serializer();
        Deserializer<SourceRow> decoder = StateCodec.sourceRows().deserializer();
        return new Serde<>() {
            @Override
            public Serializer<Object> serializer() {
                return (topic, value) -> value instanceof SourceRow row ? rows.serialize(topic, row) : (byte[]) value;
            }

            @Override
            public Deserializer<Object> deserializer() {
                return (topic, bytes) -> {
                    if (bytes == null || bytes.length == 0 || bytes[0] != StateCodec.SOURCE_ROW) {
                        return bytes;
                    }
                    try {
                        return decoder.deserialize(topic, bytes);
                    } catch (RuntimeException notARow) {
                        return bytes;
                    }
                };
            }
        };
    }

    /**
     * The topic's keys, a record without one read as {@link #NO_KEY} (the store's writer would drop it),
     * so it reaches the dead-letter topic as the parse sends it there.
     */
    static Serde<String> keys() {
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(
                (topic, key) -> key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                (topic, bytes) -> bytes == null ? NO_KEY : new String(bytes, StandardCharsets.UTF_8));
    }

    /** The key of a record without one: never a key of the wal-producer's, which are JSON objects. */
    static final String NO_KEY = "\u0000";

    @Override
    public void init(StateStoreContext context, StateStore root) {
        applied = null;
        newest = null;
        appConfigs = context.appConfigs();
        super.init(Restoring.through(context, this::restoring), root);
    }

    /** Applies the change event in {@code value} (Kafka Streams' timestamp, then the topic's bytes; null: a tombstone). */
    @Override
    public void put(Bytes key, byte[] value) {
        byte[] stored = get(key);
        Applied result = apply(key, row(stored), value);
        applied = result;
        if (result.after != result.before) {
            super.put(key, stored(value, result.after));
        }
    }

    /** What the last {@link #put} did, for the record of {@code key}; null when it was for another key. */
    Applied applied(String key) {
        Applied last = applied;
        return last != null && last.key.equals(key) ? last : null;
    }

    private SourceRow row(byte[] stored) {
        return stored == null ? null : decoder.deserialize(null, Arrays.copyOfRange(stored, TIMESTAMP, stored.length));
    }

    private Applied apply(Bytes bytes, SourceRow before, byte[] value) {
        String key = new String(bytes.get(), StandardCharsets.UTF_8);
        if (value == null) {
            return new Applied(key, before, before, null, "record has no value (a tombstone)", null);
        }
        byte[] raw = Arrays.copyOfRange(value, TIMESTAMP, value.length);
        ParsedEvent parsed = parser.parse(key.equals(NO_KEY) ? null : key, raw);
        if (parsed.failed()) {
            return new Applied(key, before, before, null, parsed.error(), raw);
        }
        ChangeEvent event = parsed.value();
        SourceRow after = SourceRow.apply(before, event, projection);
        return new Applied(key, before, after, newest(before, after, event), null, raw);
    }

    /**
     * The row to write to the newest-rows topic for {@code event}: the row held, when the event is older than it (the
     * topic's last record of the key is then not its newest); the row after (the row held, where nothing else
     * changed), when it keeps an unchanged TOASTed column from the row before; else none.
     */
    private SourceRow newest(SourceRow before, SourceRow after, ChangeEvent event) {
        if (before == null) {
            return null;
        }
        if (SourceRow.order(event.metadata().commitLsn().value(), event.metadata().seq(), before) < 0) {
            return before;
        }
        if (!after.deleted()) {
            for (String column : event.metadata().unchangedToast()) {
                if (projection.keeps(column) && before.get(column) != null) {
                    return after;
                }
            }
        }
        return null;
    }

    /** A row as stored: the timestamp of the record that changed it, then the row. */
    private byte[] stored(byte[] value, SourceRow row) {
        byte[] encoded = encoder.serialize(null, row);
        return ByteBuffer.allocate(TIMESTAMP + encoded.length).put(value, 0, TIMESTAMP).put(encoded).array();
    }

    /**
     * Restores from the topic as processing would have built the store: each event applied to the row restored so
     * far, the inner store given the rows (the row as it was where nothing changed, so every offset reaches it).
     */
    private RecordBatchingStateRestoreCallback restoring(RecordBatchingStateRestoreCallback inner) {
        return records -> {
            forget();
            applied = null;
            if (newest == null) {
                newest = readNewest();
            }
            Map<Bytes, byte[]> restored = new HashMap<>();
            List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>(records.size());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.key() == null) {
                    continue; // no row: the processing path drops it too
                }
                Bytes key = Bytes.wrap(record.key());
                byte[] stored = restored.containsKey(key) ? restored.get(key) : wrapped().get(key);
                SourceRow before = row(stored);
                SourceRow kept = newest.get(key);
                // the newest-rows topic's row wins over the one from the same change: it holds what the event lacks
                if (kept != null && (before == null || SourceRow.order(kept.lsn(), kept.seq(), before) >= 0)) {
                    before = kept;
                    stored = stored(record.value(), kept);
                }
                Applied result = apply(key, before, record.value());
                byte[] row = result.after == result.before ? stored : stored(record.value(), result.after);
                restored.put(key, row);
                rows.add(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                        record.timestampType(), record.serializedKeySize(), row == null ? 0 : row.length, record.key(), row,
                        record.headers(), record.leaderEpoch()));
            }
            inner.restoreBatch(rows);
        };
    }

    /** The newest-rows topic as it is now, every partition (a few rows: the keys are not filtered by partition). */
    private Map<Bytes, SourceRow> readNewest() {
        Map<String, Object> props = new org.apache.kafka.streams.StreamsConfig(appConfigs)
                .getRestoreConsumerConfigs("source-topic-store-" + name());
        props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<Bytes, SourceRow> rows = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(newestTopic, java.time.Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(newestTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (!ReadToEnd.read(consumer, partitions, java.time.Duration.ofMinutes(5), record -> {
                if (record.value() == null) {
                    rows.remove(Bytes.wrap(record.key()));
                } else {
                    rows.put(Bytes.wrap(record.key()), decoder.deserialize(null, record.value()));
                }
            })) {
                throw new IllegalStateException("cannot read topic " + newestTopic + " to restore store " + name() + " in 5 minutes");
            }
        }
        return rows;
    }

    /**
     * The processor after a source table's store writer ({@link TopicRestoredStore.Writer}): passes on the row its
     * store's last write changed (marked where the change alters none of the {@code joined} columns:
     * {@link ChangedRows#changed}), tells {@code unchanged} the time of an event that changed nothing, and sends an event that cannot be processed on as its raw bytes, with the error
     * in its headers, for the dead-letter topic.
     */
    static final class Changes implements FixedKeyProcessor<String, Object, Change> {
        private final String storeName;
        private final Projection joined;
        private final LongConsumer unchanged;
        private final ParseEvents.DeadLetters deadLetters;
        private final OutputSchemas schemas;
        private FixedKeyProcessorContext<String, Change> context;
        private SourceTopicStore store;

        Changes(String storeName, Projection joined, LongConsumer unchanged, ParseEvents.DeadLetters deadLetters, OutputSchemas schemas) {
            this.storeName = storeName;
            this.joined = joined;
            this.unchanged = unchanged;
            this.deadLetters = deadLetters;
            this.schemas = schemas;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Change> context) {
            this.context = context;
            StateStore outer = context.getStateStore(storeName);
            store = outer instanceof WrappedStateStore<?, ?, ?> wrapped ? wrapped.findInner(SourceTopicStore.class) : null;
            if (store == null) {
                throw new IllegalStateException("store " + storeName + " does not apply change events (" + outer.getClass() + ")");
            }
        }

        @Override
        public void process(FixedKeyRecord<String, Object> record) {
            Applied result = store.applied(record.key());
            if (result == null) {
                throw new IllegalStateException("store " + storeName + " holds no write for key " + record.key());
            }
            ParseEvents.observeSchema(schemas, record.headers(), result.error != null);
            if (result.error != null) {
                deadLetters.mark(record.headers(), context.recordMetadata(), result.error);
                context.forward(record.withValue(Change.failed(result.raw)));
                return;
            }
            FixedKeyRecord<String, SourceRow> changed = ChangedRows.changed(record, result.before, result.after, joined);
            if (changed == null) {
                unchanged.accept(record.timestamp());
                if (result.newest != null) {
                    context.forward(record.withValue(new Change(null, result.newest, false, null)));
                }
            } else {
                context.forward(changed.withValue(new Change(changed.value(), result.newest, false, null)));
            }
        }
    }

    /**
     * What a change event passes on: the row it changed (null: none), the row for the newest-rows topic (null: none),
     * or, failed, the raw bytes of an event that cannot be processed.
     */
    record Change(SourceRow row, SourceRow newest, boolean failed, byte[] raw) {
        static Change failed(byte[] raw) {
            return new Change(null, null, true, raw);
        }
    }
}
