package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.ops.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestoreProgressTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong nanos = new AtomicLong(SECOND);
    private final Metrics metrics = new Metrics();
    private final List<String> logged = new ArrayList<>();
    private final RestoreProgress progress = new RestoreProgress(metrics, logged::add, nanos::get);
    private final TopicPartition orders0 = new TopicPartition("cdc.public.orders", 0);
    private final TopicPartition versions1 = new TopicPartition("app-order_fact-versions-changelog", 1);

    @Test
    void aRoundCountsOffsetsRestoredOfOffsetsToRestoreAcrossStoresWithRateAndTimeLeft() {
        assertThat(progress.line()).as("nothing restores").isNull();
        progress.onRestoreStart(orders0, "orders-table", 0, 1_000);
        progress.onRestoreStart(versions1, "order_fact-versions", 200, 1_200);
        progress.onBatchRestored(orders0, "orders-table", 499, 480); // offsets 0..499, 20 of them markers
        progress.onBatchRestored(versions1, "order_fact-versions", 299, 100);
        nanos.addAndGet(2 * SECOND);
        assertThat(progress.line()).isEqualTo("600 of 2000 offsets (30 %), 580 records restored, 300 offsets/s, about 5 s left, "
                + "2 store partition(s) restoring");
        assertThat(metrics.scrape()).contains("streams_restore_offsets_remaining 1400").contains("streams_restore_records_total 580");
        assertThat(logged).as("no ten seconds yet").isEmpty();
    }

    @Test
    void logsEveryTenSecondsAndOnceWhenEveryStorePartitionStartedHasEnded() {
        progress.onRestoreStart(orders0, "orders-table", 0, 1_000);
        nanos.addAndGet(11 * SECOND);
        progress.onBatchRestored(orders0, "orders-table", 499, 500);
        assertThat(logged).containsExactly("restoring the state stores from Kafka: 500 of 1000 offsets (50 %), 500 records restored, "
                + "45 offsets/s, about 11 s left, 1 store partition(s) restoring");
        progress.onRestoreStart(versions1, "order_fact-versions", 0, 10);
        progress.onBatchRestored(versions1, "order_fact-versions", 9, 10);
        progress.onRestoreEnd(versions1, "order_fact-versions", 10);
        assertThat(logged).as("orders still restores").hasSize(1);
        nanos.addAndGet(SECOND);
        progress.onBatchRestored(orders0, "orders-table", 999, 500);
        progress.onRestoreEnd(orders0, "orders-table", 1_000);
        assertThat(logged).hasSize(2).last().isEqualTo("state stores restored from Kafka: 1010 records into 2 store partition(s) in 12.0 s (84 records/s)");
        assertThat(progress.line()).isNull();
        assertThat(metrics.scrape()).contains("streams_restore_offsets_remaining 0");
    }

    @Test
    void aSuspendedPartitionLeavesNoWorkBehindAndANewRoundStartsAfresh() {
        progress.onRestoreStart(orders0, "orders-table", 0, 1_000);
        progress.onBatchRestored(orders0, "orders-table", 99, 100);
        progress.onRestoreStart(versions1, "order_fact-versions", 0, 100);
        progress.onRestoreSuspended(orders0, "orders-table", 100); // its task moved to another instance
        assertThat(progress.line()).startsWith("100 of 200 offsets (50 %)");
        progress.onRestoreEnd(versions1, "order_fact-versions", 0);
        progress.onRestoreStart(orders0, "orders-table", 100, 300);
        assertThat(progress.line()).startsWith("0 of 200 offsets (0 %), 0 records restored");
        assertThat(metrics.scrape()).as("the total counts every round since the start").contains("streams_restore_records_total 100");
    }
}
