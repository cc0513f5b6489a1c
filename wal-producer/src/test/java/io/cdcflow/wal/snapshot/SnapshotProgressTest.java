package io.cdcflow.wal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.ops.Metrics;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnapshotProgressTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Metrics metrics = new Metrics();
    private final SnapshotProgress progress = new SnapshotProgress(metrics, nanos::get);

    @Test
    void saysHowManyRowsOfHowManyAtWhatRateAndWhenItEnds() {
        progress.begin("public.orders", 1_000_000);
        nanos.addAndGet(5_000_000_000L);
        progress.read("public.orders", 120_000);
        assertThat(progress.line("public.orders")).isEqualTo("120000 of about 1000000 rows (12 %), 24000 rows/s, about 37 s left");
        assertThat(metrics.scrape())
                .contains("cdc_snapshot_rows_expected{table=\"public.orders\"} 1000000\n")
                .contains("cdc_snapshot_rows_per_second{table=\"public.orders\"} 24000\n")
                .contains("cdc_snapshot_remaining_seconds{table=\"public.orders\"} 36.6");
    }

    @Test
    void anEstimateBelowTheRowsReadGivesWayAndADoneTableHasNothingLeft() {
        progress.begin("public.items", 0); // never analyzed: reltuples -1, read as 0
        nanos.addAndGet(2_000_000_000L);
        progress.read("public.items", 500);
        assertThat(metrics.scrape()).contains("cdc_snapshot_rows_expected{table=\"public.items\"} 500\n");
        progress.end("public.items", 800);
        nanos.addAndGet(60_000_000_000L);
        assertThat(metrics.scrape())
                .contains("cdc_snapshot_rows_per_second{table=\"public.items\"} 400\n")
                .contains("cdc_snapshot_remaining_seconds{table=\"public.items\"} 0\n");
    }
}
