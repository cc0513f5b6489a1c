package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

class ChunkedScanTest {
    private final TreeMap<String, Integer> rows = new TreeMap<>();

    @Test
    void visitsEveryRowOnceInChunksGoingOnAfterTheLastKeyEvenWhenRowsChangeBetweenChunks() {
        for (int i = 0; i < 7; i++) {
            rows.put("k" + i, i);
        }
        ChunkedScan<Integer> scan = new ChunkedScan<>(3);
        List<String> visited = new ArrayList<>();
        assertThat(scan.next(store(), (k, v) -> visited.add(k))).isFalse();
        assertThat(visited).containsExactly("k0", "k1", "k2");
        rows.remove("k2"); // the last key visited is gone: the range still starts after it
        rows.put("k1a", 9); // before the position: not visited by this scan (processing already saw it)
        assertThat(scan.next(store(), (k, v) -> visited.add(k))).isFalse();
        assertThat(scan.next(store(), (k, v) -> visited.add(k))).isTrue();
        assertThat(visited).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6");
        assertThat(scan.visited()).isEqualTo(7);
        scan.restart();
        List<String> again = new ArrayList<>();
        assertThat(scan.next(store(), (k, v) -> again.add(k))).isFalse();
        assertThat(again).containsExactly("k0", "k1", "k1a");
    }

    @Test
    void anEmptyStoreIsDoneAtOnce() {
        assertThat(new ChunkedScan<Integer>(3).next(store(), (k, v) -> { })).isTrue();
    }

    private ReadOnlyKeyValueStore<String, Integer> store() {
        return new ReadOnlyKeyValueStore<>() {
            @Override
            public Integer get(String key) {
                return rows.get(key);
            }

            @Override
            public KeyValueIterator<String, Integer> range(String from, String to) {
                return iterator(to == null ? rows.tailMap(from, true) : rows.subMap(from, true, to, true));
            }

            @Override
            public KeyValueIterator<String, Integer> all() {
                return iterator(rows);
            }

            @Override
            public long approximateNumEntries() {
                return rows.size();
            }
        };
    }

    private static KeyValueIterator<String, Integer> iterator(NavigableMap<String, Integer> map) {
        Iterator<Map.Entry<String, Integer>> it = new TreeMap<>(map).entrySet().iterator();
        return new KeyValueIterator<>() {
            @Override
            public void close() {
            }

            @Override
            public String peekNextKey() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<String, Integer> next() {
                Map.Entry<String, Integer> e = it.next();
                return KeyValue.pair(e.getKey(), e.getValue());
            }
        };
    }
}
