package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class HashStoreTest {
    private final KeyValueStore<Bytes, byte[]> store = HashStore.supplier("rows").get();

    HashStoreTest() {
        store.init(new org.apache.kafka.streams.processor.api.MockProcessorContext<>().getStateStoreContext(), store);
    }

    private static Bytes key(String k) {
        return Bytes.wrap(k.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(String v) {
        return v.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rowsByKeyWithDeletesAndPutIfAbsent() {
        store.putAll(List.of(KeyValue.pair(key("a"), value("1")), KeyValue.pair(key("b"), value("2"))));
        store.put(Bytes.wrap("a".getBytes(StandardCharsets.UTF_8)), value("3")); // an equal key, another instance
        assertThat(store.get(key("a"))).isEqualTo(value("3"));
        assertThat(store.putIfAbsent(key("a"), value("4"))).isEqualTo(value("3"));
        assertThat(store.putIfAbsent(key("c"), value("5"))).isNull();
        assertThat(store.delete(key("b"))).isEqualTo(value("2"));
        store.put(key("c"), null);
        assertThat(store.get(key("b"))).isNull();
        assertThat(store.get(key("c"))).isNull();
        assertThat(store.approximateNumEntries()).isEqualTo(1);
    }

    @Test
    void allListsEveryRowAsItWasWhenCalled() {
        for (int i = 0; i < 100; i++) {
            store.put(key("k" + i), value("v" + i));
        }
        Map<String, String> seen = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            store.put(key("later"), value("x"));
            while (all.hasNext()) {
                Bytes next = all.peekNextKey();
                KeyValue<Bytes, byte[]> row = all.next();
                assertThat(row.key).isEqualTo(next);
                seen.put(new String(row.key.get(), StandardCharsets.UTF_8), new String(row.value, StandardCharsets.UTF_8));
            }
        }
        assertThat(seen).hasSize(100).containsEntry("k7", "v7").doesNotContainKey("later");
    }

    @Test
    void scansAreRefusedNamingTheStore() {
        assertThatThrownBy(() -> store.range(key("a"), key("z"))).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("rows");
        assertThatThrownBy(() -> store.prefixScan("a", new StringSerializer())).hasMessageContaining("no prefixScan");
        assertThat(store.persistent()).isFalse();
    }
}
