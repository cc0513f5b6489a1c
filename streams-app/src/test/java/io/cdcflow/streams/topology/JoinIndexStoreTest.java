package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.json.Json;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The index of the joins inside each task kept beside the rows: what restores a row restores its entries, in the same
 * batch, whichever kind of row the store holds; the store's iterators show rows only.
 */
class JoinIndexStoreTest {
    private final FactPlan items = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.load(null)).stream()
            .filter(p -> p.name().equals("order_item_fact")).findFirst().orElseThrow();
    private final List<Integer> local = JoinPaths.toTables(items, List.of("products"));

    @Test
    void eachRestoredRowBringsTheEntriesOfWhereItPointsInTheSameBatch() {
        List<RecordBatchingStateRestoreCallback> registered = new ArrayList<>();
        JoinIndexStore store = store(registered);
        int j = local.get(0);
        SourceRow gone = new SourceRow(3, 0, true, Json.object().put("id", 102));
        List<List<ConsumerRecord<byte[], byte[]>>> written = new ArrayList<>();
        RecordBatchingStateRestoreCallback restore = registered.get(0);

        restore.restoreBatch(List.of(
                record("{\"id\":100}", StateCodec.sourceRows().serializer().serialize(null, item(100, 1))),
                // a join's store holds joined rows: the root row is read from them
                record("{\"id\":101}", StateCodec.joinedRows().serializer().serialize(null, JoinedRows.root(item(101, 2), 2))),
                record("{\"id\":102}", StateCodec.sourceRows().serializer().serialize(null, gone)),
                record("{\"id\":103}", null)));

        assertThat(store.entries(items.name())).containsExactly(j + "\0{\"id\":1}\0{\"id\":100}", j + "\0{\"id\":2}\0{\"id\":101}");
        assertThat(store.pointing(items.name(), j, "{\"id\":2}")).containsExactly("{\"id\":101}");
        assertThat(keys(store.all())).as("rows only").containsExactly("{\"id\":100}", "{\"id\":101}", "{\"id\":102}");
        assertThat(keys(store.range(null, null))).containsExactly("{\"id\":100}", "{\"id\":101}", "{\"id\":102}");
        assertThat(keys(store.reverseAll())).containsExactly("{\"id\":102}", "{\"id\":101}", "{\"id\":100}");
        assertThat(keys(store.readOnly(org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED).all())).hasSize(3);

        // the row moved: the restore of its newer version adds the new entry; the old one stays until cleaned lazily
        restore.restoreBatch(List.of(record("{\"id\":100}", StateCodec.sourceRows().serializer().serialize(null, item(100, 2)))));
        assertThat(store.pointing(items.name(), j, "{\"id\":2}")).containsExactly("{\"id\":100}", "{\"id\":101}");
        store.remove(items.name(), j, "{\"id\":1}", "{\"id\":100}");
        assertThat(store.pointing(items.name(), j, "{\"id\":1}")).isEmpty();
    }

    @Test
    void processingAddsAnEntryOnce() {
        JoinIndexStore store = store(new ArrayList<>());
        store.add(items.name(), 1, "{\"id\":7}", "{\"id\":100}");
        store.add(items.name(), 1, "{\"id\":7}", "{\"id\":100}");
        store.add("other_fact", 1, "{\"id\":7}", "{\"id\":200}");
        assertThat(store.pointing(items.name(), 1, "{\"id\":7}")).containsExactly("{\"id\":100}");
        assertThat(store.approximateNumEntries()).as("entries are in the store, under keys no row takes").isEqualTo(2);
        assertThat(keys(store.all())).isEmpty();
    }

    private JoinIndexStore store(List<RecordBatchingStateRestoreCallback> registered) {
        JoinIndexStore store = (JoinIndexStore) JoinIndexStore.of(Stores.inMemoryKeyValueStore("order_items-table"),
                List.of(new JoinIndexStore.Indexed(items, local))).get();
        store.init(context(registered), store);
        return store;
    }

    private static SourceRow item(int id, int product) {
        return new SourceRow(1, 0, false, Json.object().put("id", id).put("order_id", 10).put("product_id", product)
                .put("quantity", 1).put("price", 2));
    }

    /** A changelog record as Kafka Streams hands it to a timestamped store's restore: the timestamp, then the value. */
    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value) {
        byte[] stored = value == null ? null : ByteBuffer.allocate(Long.BYTES + value.length).putLong(5L).put(value).array();
        return new ConsumerRecord<>("app-order_items-table-changelog", 0, 0, key.getBytes(StandardCharsets.UTF_8), stored);
    }

    /** A store context that keeps the restore callbacks registered with it. */
    private static StateStoreContext context(List<RecordBatchingStateRestoreCallback> registered) {
        return (StateStoreContext) Proxy.newProxyInstance(JoinIndexStoreTest.class.getClassLoader(), new Class<?>[] {StateStoreContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "register" -> {
                        registered.add((RecordBatchingStateRestoreCallback) args[1]);
                        yield null;
                    }
                    case "appConfigs" -> Map.of();
                    case "recordMetadata" -> java.util.Optional.empty();
                    default -> null;
                });
    }

    private static List<String> keys(KeyValueIterator<Bytes, byte[]> iterator) {
        List<String> keys = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(e -> keys.add(new String(e.key.get(), StandardCharsets.UTF_8)));
        }
        return keys;
    }
}
