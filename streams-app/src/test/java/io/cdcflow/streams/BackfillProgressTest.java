package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.kafka.SnapshotBounds;
import io.cdcflow.common.ops.Metrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackfillProgressTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Metrics metrics = new Metrics();
    private final BackfillProgress progress = new BackfillProgress(metrics, nanos::get);
    /** The application's committed next offsets, by "topic/partition". */
    private final Map<String, Long> committed = new HashMap<>();

    private static SnapshotBounds orders(Map<Integer, Long> from, Map<Integer, Long> to) {
        return new SnapshotBounds("slot", "public", "orders", "cdc.public.orders", "s1", from, to);
    }

    private boolean update(SnapshotBounds... bounds) {
        return progress.update("orders", "s1", List.of(bounds), (topic, p) -> committed.getOrDefault(topic + "/" + p, 0L));
    }

    @Test
    void countsTheSnapshotRangesRecordsBehindTheCommittedOffsetsWithRateAndTimeLeft() {
        // partition 0 held 100 records before the snapshot; partition 1 none
        SnapshotBounds bounds = orders(Map.of(0, 100L, 1, 0L), Map.of(0, 600L, 1, 500L));
        assertThat(update(bounds)).isFalse();
        assertThat(progress.line("orders")).startsWith("0 of 1000 records (0 %)");
        committed.put("cdc.public.orders/0", 350L); // 250 of partition 0's 500
        committed.put("cdc.public.orders/1", 150L);
        nanos.addAndGet(2_000_000_000L);
        assertThat(update(bounds)).isFalse();
        assertThat(progress.line("orders")).isEqualTo("400 of 1000 records (40 %), 200 records/s, about 3 s left");
        assertThat(metrics.scrape())
                .contains("streams_snapshot_records_read{table=\"orders\"} 400\n")
                .contains("streams_snapshot_records{table=\"orders\"} 1000\n")
                .contains("streams_snapshot_records_per_second{table=\"orders\"} 200\n")
                .contains("streams_snapshot_remaining_seconds{table=\"orders\"} 3\n");
        assertThat(progress.reading()).containsExactly("orders");
    }

    @Test
    void aSnapshotStillRunningHasNoTotalAndOneReadToItsEndIsFinishedOnce() {
        assertThat(update(orders(Map.of(0, 0L), null))).isFalse();
        committed.put("cdc.public.orders/0", 40L);
        nanos.addAndGet(1_000_000_000L);
        assertThat(update(orders(Map.of(0, 0L), null))).isFalse();
        assertThat(progress.line("orders")).isEqualTo("40 records so far (the wal-producer's snapshot still runs), 40 records/s");
        assertThat(metrics.scrape()).contains("streams_snapshot_records{table=\"orders\"} -1\n")
                .contains("streams_snapshot_remaining_seconds{table=\"orders\"} -1\n");
        // changes streamed after the snapshot lie past its end: read or not, they are not the snapshot's
        committed.put("cdc.public.orders/0", 90L);
        nanos.addAndGet(1_000_000_000L);
        assertThat(update(orders(Map.of(0, 0L), Map.of(0, 80L)))).isTrue();
        assertThat(progress.line("orders")).isEqualTo("80 records in 2.0 s (40 records/s)");
        assertThat(progress.finished("orders", "s1")).isTrue();
        assertThat(progress.finished("orders", "s2")).isFalse();
        assertThat(progress.reading()).isEmpty();
        assertThat(metrics.scrape()).contains("streams_snapshot_records_read{table=\"orders\"} 80\n")
                .contains("streams_snapshot_remaining_seconds{table=\"orders\"} 0\n");
        assertThat(update(orders(Map.of(0, 0L), Map.of(0, 80L)))).isFalse();
    }

    @Test
    void aNewSnapshotOfTheTableStartsAnew() {
        committed.put("cdc.public.orders/0", 80L);
        assertThat(update(orders(Map.of(0, 0L), Map.of(0, 80L)))).isTrue();
        SnapshotBounds again = new SnapshotBounds("slot", "public", "orders", "cdc.public.orders", "s2", Map.of(0, 80L), Map.of(0, 180L));
        assertThat(progress.update("orders", "s2", List.of(again), (topic, p) -> committed.getOrDefault(topic + "/" + p, 0L))).isFalse();
        assertThat(progress.line("orders")).startsWith("0 of 100 records (0 %)");
        assertThat(progress.reading()).containsExactly("orders");
    }
}
