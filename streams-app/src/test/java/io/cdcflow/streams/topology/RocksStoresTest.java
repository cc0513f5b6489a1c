package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The store wrapper's memo of the row touched last: reads it saves, and never a value the store does not hold. */
class RocksStoresTest {
    /** A map standing for RocksDB, counting the reads that reach it. */
    private final Map<Bytes, byte[]> rocks = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final RocksStores.Store store = new RocksStores.Store(fake());

    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> fake() {
        return (KeyValueStore<Bytes, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> {
                        reads.incrementAndGet();
                        yield rocks.get((Bytes) args[0]);
                    }
                    case "put" -> args[1] == null ? rocks.remove((Bytes) args[0]) : rocks.put((Bytes) args[0], (byte[]) args[1]);
                    case "delete" -> rocks.remove((Bytes) args[0]);
                    case "putIfAbsent" -> rocks.putIfAbsent((Bytes) args[0], (byte[]) args[1]);
                    case "putAll" -> {
                        ((List<KeyValue<Bytes, byte[]>>) args[0]).forEach(kv -> rocks.put(kv.key, kv.value));
                        yield null;
                    }
                    case "close", "commit" -> null;
                    case "name" -> "fake";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Bytes key(String key) {
        return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aKeyJustWrittenOrReadIsReadAgainFromMemory() {
        store.put(key("{\"id\":1}"), value("a"));
        assertThat(store.get(key("{\"id\":1}"))).isEqualTo(value("a"));
        assertThat(store.get(key("{\"id\":1}"))).isEqualTo(value("a"));
        assertThat(reads).hasValue(0);
        assertThat(store.get(key("{\"id\":2}"))).isNull(); // absent: remembered as absent
        assertThat(store.get(key("{\"id\":2}"))).isNull();
        assertThat(reads).hasValue(1);
        assertThat(store.get(key("{\"id\":1}"))).isEqualTo(value("a")); // only the last key is remembered
        assertThat(reads).hasValue(2);
    }

    @Test
    void everyWriteIsSeenByTheNextRead() {
        store.put(key("k"), value("a"));
        store.put(key("k"), value("b"));
        assertThat(store.get(key("k"))).isEqualTo(value("b"));
        store.put(key("k"), null);
        assertThat(store.get(key("k"))).isNull();
        store.put(key("k"), value("c"));
        assertThat(store.delete(key("k"))).isEqualTo(value("c"));
        assertThat(store.get(key("k"))).isNull();
        assertThat(store.putIfAbsent(key("k"), value("d"))).isNull();
        assertThat(store.get(key("k"))).isEqualTo(value("d"));
        store.putAll(List.of(KeyValue.pair(key("k"), value("e"))));
        assertThat(store.get(key("k"))).isEqualTo(value("e"));
        rocks.put(key("k"), value("f")); // as a restoration writes, below the wrapper: closing the store forgets
        store.close();
        assertThat(store.get(key("k"))).isEqualTo(value("f"));
    }

    @Test
    void onlyTheWritingThreadIsServedAndOnlyUntilTheNextCommit() throws Exception {
        assertThat(store.get(key("k"))).isNull();
        assertThat(store.get(key("k"))).isNull();
        assertThat(reads).as("no write on this thread yet: nothing remembered").hasValue(2);
        store.put(key("k"), value("a"));
        rocks.put(key("k"), value("committed")); // what the store answers another thread (an interactive query)
        AtomicReference<byte[]> seen = new AtomicReference<>();
        Thread query = new Thread(() -> {
            seen.set(store.get(key("k")));
            seen.set(store.get(key("k")));
        });
        query.start();
        query.join();
        assertThat(seen.get()).isEqualTo(value("committed"));
        assertThat(reads).hasValue(4);
        assertThat(store.get(key("k"))).isEqualTo(value("a"));
        assertThat(reads).hasValue(4);
        store.commit(Map.of()); // a task moving to standby is committed: what the state updater writes next is read
        assertThat(store.get(key("k"))).isEqualTo(value("committed"));
        assertThat(reads).hasValue(5);
    }
}
