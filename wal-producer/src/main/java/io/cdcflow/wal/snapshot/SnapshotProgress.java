package io.cdcflow.wal.snapshot;

import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.Progress;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * How far each table's snapshot has come: rows read, rows expected (PostgreSQL's estimate, or the rows read once they
 * are more), the rate since the table's snapshot began and the time left at that rate, as metrics
 * ({@code cdc_snapshot_rows_expected}, {@code cdc_snapshot_rows_per_second}, {@code cdc_snapshot_remaining_seconds},
 * per table) and as one line for the log.
 */
final class SnapshotProgress {
    private final LongSupplier nanos;
    /** Per table: rows read of the rows expected (PostgreSQL's estimate, or the rows read once they are more). */
    private final Map<String, Table> tables = new ConcurrentSkipListMap<>();

    private record Table(long estimate, Progress progress) {
    }

    SnapshotProgress(Metrics metrics) {
        this(metrics, System::nanoTime);
    }

    SnapshotProgress(Metrics metrics, LongSupplier nanos) {
        this.nanos = nanos;
        metrics.gauges("cdc_snapshot_rows_expected",
                "Rows the snapshot of the table expects to read (PostgreSQL's estimate, or the rows read when more)", "table", tables,
                t -> t.progress.total());
        metrics.gauges("cdc_snapshot_rows_per_second", "Rows read per second since the table's snapshot began", "table", tables,
                t -> t.progress.rate(nanos.getAsLong()));
        metrics.gauges("cdc_snapshot_remaining_seconds",
                "Estimated time until the table's snapshot ends, at its rate so far (0 once done)", "table", tables,
                t -> t.progress.remaining(nanos.getAsLong()));
    }

    /** A table's snapshot begins, expecting about {@code expected} rows. */
    void begin(String table, long expected) {
        Table t = new Table(Math.max(expected, 0), new Progress(nanos.getAsLong(), 0));
        t.progress.update(0, t.estimate);
        tables.put(table, t);
    }

    void read(String table, long rows) {
        Table t = tables.get(table);
        t.progress.update(rows, Math.max(t.estimate, rows));
    }

    void end(String table, long rows) {
        read(table, rows);
        tables.get(table).progress.finish(nanos.getAsLong());
    }

    /** "120000 of about 1000000 rows (12 %), 24000 rows/s, about 37 s left" */
    String line(String table) {
        Progress p = tables.get(table).progress;
        long now = nanos.getAsLong();
        return p.done() + " of about " + p.total() + " rows (" + p.percent() + " %), "
                + Math.round(p.rate(now)) + " rows/s, about " + Math.round(p.remaining(now)) + " s left";
    }
}
