package io.cdcflow.writer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableBatchesTest {
    private long now = 1_000;
    private final TableBatches batches = new TableBatches(() -> now);

    private void add(String table, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        batches.of(table).add(bytes, bytes.length, List.of("id"));
    }

    @Test
    void aFlightTakesTheLoadedBatchesAndTheTablesGoOnInTheirSpares() {
        add("orders", "1");
        add("orders", "2");
        batches.of("customers"); // a table with no row yet goes in no flight
        Map<String, TableBatch> first = batches.takeLoaded();
        assertThat(first).containsOnlyKeys("orders");
        assertThat(first.get("orders").rows()).isEqualTo(2);
        assertThat(batches.isEmpty()).isTrue();

        add("orders", "3");
        assertThat(first.get("orders").rows()).as("the flight's batch is not written to").isEqualTo(2);
        Map<String, TableBatch> second = batches.takeLoaded();
        assertThat(second.get("orders")).isNotSameAs(first.get("orders"));
        assertThat(new String(second.get("orders").content(), StandardCharsets.UTF_8)).isEqualTo("3\n");

        add("orders", "4");
        assertThat(batches.of("orders")).as("the first flight's buffer, emptied, once a later flight took off")
                .isSameAs(first.get("orders"));
        assertThat(batches.of("orders").rows()).isEqualTo(1);
    }

    @Test
    void fullOldAndEmptyAreAnyTablesBatch() {
        assertThat(batches.isEmpty()).isTrue();
        add("orders", "1");
        now += 500;
        add("customers", "12345");
        assertThat(batches.isEmpty()).isFalse();
        assertThat(batches.anyFull(2, 1_000)).isFalse();
        assertThat(batches.anyFull(1, 1_000)).isTrue();
        assertThat(batches.anyFull(2, 6)).as("customers' 6 bytes").isTrue();
        assertThat(batches.anyOlderThan(500)).as("orders, since its first row").isTrue();
        assertThat(batches.anyOlderThan(501)).isFalse();
        batches.clear();
        assertThat(batches.isEmpty()).isTrue();
        assertThat(batches.takeLoaded()).isEmpty();
    }
}
